import Foundation
import SystemSupport

/// Finds a sweep's dataset and verifies it. A registry name is looked for in
/// `$RNNSWEEP_DATA_DIR/<name>.txt`, then in the cache, then downloaded into the cache; every file
/// found or fetched must have the registry's size and SHA-256. A path is read as given.
public struct DatasetResolver: Sendable {
    public var registry: DatasetRegistry
    /// Ready-made files (`<name>.txt`), e.g. CI's shared data folder.
    public var dataDirectory: URL?
    public var cache: DatasetCache
    public var allowDownload: Bool
    /// Seconds without progress before a download fails.
    public var downloadTimeout: TimeInterval

    /// `dataDirectory` and `cacheDirectory` default to `RNNSWEEP_DATA_DIR` and
    /// `DatasetCache.defaultDirectory(environment:)`.
    public init(
        registry: DatasetRegistry = .standard,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        dataDirectory: URL? = nil,
        cacheDirectory: URL? = nil,
        allowDownload: Bool = true,
        downloadTimeout: TimeInterval = 60
    ) {
        self.registry = registry
        self.dataDirectory = dataDirectory ?? environment["RNNSWEEP_DATA_DIR"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
        self.cache = DatasetCache(directory: cacheDirectory ?? DatasetCache.defaultDirectory(environment: environment), registry: registry)
        self.allowDownload = allowDownload
        self.downloadTimeout = downloadTimeout
    }

    /// Resolves a sweep file's dataset.
    public func resolve(for sweep: SweepFile) async throws(DatasetError) -> ResolvedDataset {
        try await resolve(sweep.dataset, givenIn: sweep.file)
    }

    /// Resolves a dataset spec; `givenIn` names the sweep file for messages about paths.
    public func resolve(_ spec: DatasetSpec, givenIn: String? = nil) async throws(DatasetError) -> ResolvedDataset {
        switch spec.source {
        case .registry(let name): return try await resolve(named: name)
        case .file(let url): return try resolve(file: url, givenIn: givenIn)
        }
    }

    /// A dataset given by path, identified by its SHA-256.
    public func resolve(file url: URL, givenIn: String? = nil) throws(DatasetError) -> ResolvedDataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw .missingFile(path: url.path, givenIn: givenIn)
        }
        let digest: (sha256: String, byteCount: Int)
        do { digest = try SHA256Hex.digest(ofFileAt: url) } catch {
            throw .unreadable(path: url.path, reason: SweepFile.reason(error))
        }
        return ResolvedDataset(name: url.deletingPathExtension().lastPathComponent, path: url, sha256: digest.sha256, byteCount: digest.byteCount)
    }

    /// A registry dataset: data folder, then cache, then download.
    public func resolve(named name: String) async throws(DatasetError) -> ResolvedDataset {
        guard let entry = registry.entry(named: name) else { throw .unknownDataset(name: name, known: registry.names) }
        var places: [URL] = []
        if let dataDirectory { places.append(dataDirectory.appendingPathComponent(entry.fileName)) }
        places.append(cache.fileURL(forRegistryName: entry.name))
        for url in places where FileManager.default.fileExists(atPath: url.path) {
            return try verified(url, entry)
        }
        if let cached = cache.lookup(sha256: entry.sha256) { return cached }

        let placeList = places.map(\.path)
        guard allowDownload else {
            throw .unavailable(dataset: name, url: entry.url.absoluteString, reason: "downloads are turned off",
                               placesToPut: placeList, byteCount: entry.byteCount, sha256: entry.sha256)
        }
        switch await DatasetDownloader.fetch(entry.url, timeout: downloadTimeout) {
        case .failure(let failure):
            throw .unavailable(dataset: name, url: entry.url.absoluteString, reason: failure.reason,
                               placesToPut: placeList, byteCount: entry.byteCount, sha256: entry.sha256)
        case .success(let data):
            let actual = SHA256Hex.digest(data)
            guard actual == entry.sha256, data.count == entry.byteCount else {
                throw .checksumMismatch(path: entry.url.absoluteString, actual: actual, actualBytes: data.count,
                                        expected: entry.sha256, expectedBytes: entry.byteCount, dataset: name)
            }
            return try cache.store(data, sha256: entry.sha256)
        }
    }

    /// A verified local copy of the dataset with this hash, without downloading: the data folder
    /// (registry datasets), then the cache. Workers call this before asking for the bytes.
    public func localCopy(sha256: String) -> ResolvedDataset? {
        if let entry = registry.entry(sha256: sha256.lowercased()), let dataDirectory {
            let url = dataDirectory.appendingPathComponent(entry.fileName)
            if FileManager.default.fileExists(atPath: url.path), let found = try? verified(url, entry) { return found }
        }
        return cache.lookup(sha256: sha256)
    }

    private func verified(_ url: URL, _ entry: DatasetRegistry.Entry) throws(DatasetError) -> ResolvedDataset {
        let digest: (sha256: String, byteCount: Int)
        do { digest = try SHA256Hex.digest(ofFileAt: url) } catch {
            throw .unreadable(path: url.path, reason: SweepFile.reason(error))
        }
        guard digest.sha256 == entry.sha256, digest.byteCount == entry.byteCount else {
            throw .checksumMismatch(path: url.path, actual: digest.sha256, actualBytes: digest.byteCount,
                                    expected: entry.sha256, expectedBytes: entry.byteCount, dataset: entry.name)
        }
        return ResolvedDataset(name: entry.name, path: url, sha256: digest.sha256, byteCount: digest.byteCount)
    }
}
