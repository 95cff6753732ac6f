import Foundation
import SystemSupport

/// Dataset files kept by content: registry datasets as `<dir>/<name>.txt`, any other dataset as
/// `<dir>/sha256/<hex>.txt`. Workers store the bytes a coordinator sends them here.
public struct DatasetCache: Sendable {
    public let directory: URL
    public let registry: DatasetRegistry

    public init(directory: URL, registry: DatasetRegistry = .standard) {
        self.directory = directory
        self.registry = registry
    }

    /// `$RNNSWEEP_CACHE_DIR`, else `~/.cache/rnnsweep/datasets`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["RNNSWEEP_CACHE_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir, isDirectory: true) }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/rnnsweep/datasets", isDirectory: true)
    }

    /// Where a registry dataset lives in the cache.
    public func fileURL(forRegistryName name: String) -> URL {
        directory.appendingPathComponent(name + ".txt")
    }

    /// Where a dataset known only by hash lives in the cache.
    public func fileURL(forSHA256 sha256: String) -> URL {
        directory.appendingPathComponent("sha256", isDirectory: true).appendingPathComponent(sha256 + ".txt")
    }

    /// Verifies that `bytes` hash to `sha256` and writes them atomically (temp file + rename).
    /// `name` names a non-registry dataset in the result (default: `sha256-<first 12 hex>`).
    @discardableResult
    public func store(_ bytes: Data, sha256: String, name: String? = nil) throws(DatasetError) -> ResolvedDataset {
        let expected = sha256.lowercased()
        let actual = SHA256Hex.digest(bytes)
        guard SHA256Hex.isValid(expected), actual == expected else { throw .hashMismatch(expected: sha256, actual: actual) }
        let entry = registry.entry(sha256: expected)
        let url = entry.map { fileURL(forRegistryName: $0.name) } ?? fileURL(forSHA256: expected)
        try Self.writeAtomically(bytes, to: url)
        return ResolvedDataset(name: entry?.name ?? name ?? "sha256-" + expected.prefix(12), path: url, sha256: expected, byteCount: bytes.count)
    }

    /// A cached, verified copy of the dataset with this hash. A missing or damaged copy gives nil,
    /// so the caller fetches the bytes again and `store` replaces it.
    public func lookup(sha256: String) -> ResolvedDataset? {
        let wanted = sha256.lowercased()
        guard SHA256Hex.isValid(wanted) else { return nil }
        let entry = registry.entry(sha256: wanted)
        let candidates = (entry.map { [fileURL(forRegistryName: $0.name)] } ?? []) + [fileURL(forSHA256: wanted)]
        for url in candidates where FileManager.default.fileExists(atPath: url.path) {
            guard let (actual, count) = try? SHA256Hex.digest(ofFileAt: url), actual == wanted else { continue }
            return ResolvedDataset(name: entry?.name ?? "sha256-" + wanted.prefix(12), path: url, sha256: wanted, byteCount: count)
        }
        return nil
    }

    /// Writes durably beside `url`, then renames over it, so readers never see a partial file.
    static func writeAtomically(_ bytes: Data, to url: URL) throws(DatasetError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .cacheWriteFailed(path: url.path, reason: SweepFile.reason(error), errorNumber: StorageFault.errorNumber(of: error))
        }
        do {
            try DurableFile.replace(url, with: bytes)
        } catch {
            throw .cacheWriteFailed(path: url.path, reason: error.description, errorNumber: error.errorNumber)
        }
    }
}
