import Foundation
import Testing
@testable import SweepCore
import SystemSupport

@Suite struct DatasetResolverTests {
    /// The standard registry, downloading from a closed local port so any download fails fast.
    static let offlineRegistry = DatasetRegistry.standard.withDownloads(from: URL(string: "http://127.0.0.1:9/")!)

    @Test func resolvesFromTheDataDirectoryAndVerifies() async throws {
        let resolver = DatasetResolver(registry: Self.offlineRegistry, environment: ["RNNSWEEP_DATA_DIR": TestFiles.dataDirectory.path],
                                       cacheDirectory: TestFiles.unusedDirectory)
        for entry in DatasetRegistry.standard.entries {
            let dataset = try await resolver.resolve(named: entry.name)
            #expect(dataset == ResolvedDataset(name: entry.name, path: TestFiles.dataDirectory.appendingPathComponent(entry.fileName),
                                               sha256: entry.sha256, byteCount: entry.byteCount))
        }
    }

    @Test func rejectsACorruptedCopyNamingBothHashes() async throws {
        let folder = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var bytes = try Data(contentsOf: TestFiles.dataDirectory.appendingPathComponent("nextchar.txt"))
        bytes[100] ^= 0x20
        let copy = folder.appendingPathComponent("nextchar.txt")
        try bytes.write(to: copy)
        let resolver = DatasetResolver(registry: Self.offlineRegistry, environment: [:], dataDirectory: folder, cacheDirectory: folder.appendingPathComponent("cache"))
        let expected = DatasetRegistry.standard.entry(named: "nextchar")!.sha256
        let actual = SHA256Hex.digest(bytes)
        await #expect(throws: DatasetError.checksumMismatch(path: copy.path, actual: actual, actualBytes: 2386, expected: expected, expectedBytes: 2386, dataset: "nextchar")) {
            try await resolver.resolve(named: "nextchar")
        }
        let message = DatasetError.checksumMismatch(path: copy.path, actual: actual, actualBytes: 2386, expected: expected, expectedBytes: 2386, dataset: "nextchar").description
        #expect(message == "\(copy.path): SHA-256 is \(actual), expected \(expected) for dataset nextchar; delete it or put the right file there")
    }

    @Test func missingDatasetOfflineSaysWhereToPutIt() async throws {
        let folder = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data"), cache = folder.appendingPathComponent("cache")
        let resolver = DatasetResolver(registry: Self.offlineRegistry, environment: [:], dataDirectory: data, cacheDirectory: cache, downloadTimeout: 5)
        do {
            let found = try await resolver.resolve(named: "timemachine")
            Issue.record("resolved without a file: \(found)")
        } catch {
            guard case let .unavailable(dataset, url, reason, places, byteCount, sha256) = error else {
                Issue.record("wrong error: \(error)")
                return
            }
            #expect(dataset == "timemachine" && url == "http://127.0.0.1:9/timemachine.txt")
            #expect(places == [data.appendingPathComponent("timemachine.txt").path, cache.appendingPathComponent("timemachine.txt").path])
            #expect(byteCount == 178_979 && sha256 == DatasetRegistry.standard.entry(named: "timemachine")!.sha256)
            #expect(!reason.isEmpty)
            #expect(error.description.contains("Put the file (178979 bytes, SHA-256 8424dbd9"))
            #expect(error.description.contains(cache.appendingPathComponent("timemachine.txt").path))
        }
        #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("timemachine.txt").path))
    }

    @Test func datasetByPathIsIdentifiedByItsHash() async throws {
        let folder = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        let text = Data("hello hello hello world, a small corpus\n".utf8)
        try text.write(to: folder.appendingPathComponent("data/tiny.txt"))
        let sweepURL = folder.appendingPathComponent("s.json")
        try Data(#"{"name": "p", "dataset": {"path": "data/tiny.txt"}, "training": {"sequence_length": 3}}"#.utf8).write(to: sweepURL)
        let sweep = try SweepFile(contentsOf: sweepURL, file: "s.json")
        #expect(sweep.registryDataset() == nil)
        let resolver = DatasetResolver(registry: Self.offlineRegistry, environment: [:], cacheDirectory: folder.appendingPathComponent("cache"))
        let dataset = try await resolver.resolve(for: sweep)
        #expect(dataset.name == "tiny" && dataset.sha256 == SHA256Hex.digest(text) && dataset.byteCount == text.count)
        try sweep.validate(against: dataset.byteCount)
        #expect(sweep.trials(dataset: dataset)[0].config.dataset == DatasetSettings(name: "tiny", sha256: SHA256Hex.digest(text)))

        try FileManager.default.removeItem(at: folder.appendingPathComponent("data/tiny.txt"))
        await #expect(throws: DatasetError.missingFile(path: folder.appendingPathComponent("data/tiny.txt").standardizedFileURL.path, givenIn: "s.json")) {
            try await resolver.resolve(for: sweep)
        }
    }

    @Test func cacheStoresAndLooksUpByHash() async throws {
        let folder = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = DatasetCache(directory: folder, registry: Self.offlineRegistry)
        let bytes = Data("some corpus the coordinator sent\n".utf8)
        let hash = SHA256Hex.digest(bytes)
        #expect(cache.lookup(sha256: hash) == nil)
        #expect(throws: DatasetError.hashMismatch(expected: String(repeating: "a", count: 64), actual: hash)) {
            try cache.store(bytes, sha256: String(repeating: "a", count: 64))
        }
        #expect(throws: DatasetError.hashMismatch(expected: "../../etc/passwd", actual: hash)) {
            try cache.store(bytes, sha256: "../../etc/passwd")
        }
        let stored = try cache.store(bytes, sha256: hash, name: "sent")
        #expect(stored.path == folder.appendingPathComponent("sha256/\(hash).txt"))
        #expect(try Data(contentsOf: stored.path) == bytes)
        #expect(cache.lookup(sha256: hash) == ResolvedDataset(name: "sha256-" + hash.prefix(12), path: stored.path, sha256: hash, byteCount: bytes.count))
        #expect(cache.lookup(sha256: "../\(hash)") == nil)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("sha256").path) == ["\(hash).txt"])

        // A damaged copy is not returned; storing again repairs it.
        try Data("damaged".utf8).write(to: stored.path)
        #expect(cache.lookup(sha256: hash) == nil)
        try cache.store(bytes, sha256: hash)
        #expect(cache.lookup(sha256: hash)?.byteCount == bytes.count)

        // Registry bytes land under the registry name, where the resolver finds them offline.
        let nextchar = try Data(contentsOf: TestFiles.dataDirectory.appendingPathComponent("nextchar.txt"))
        let entry = DatasetRegistry.standard.entry(named: "nextchar")!
        let cached = try cache.store(nextchar, sha256: entry.sha256.uppercased())
        #expect(cached.name == "nextchar" && cached.path == folder.appendingPathComponent("nextchar.txt"))
        let resolver = DatasetResolver(registry: Self.offlineRegistry, environment: [:], cacheDirectory: folder)
        #expect(try await resolver.resolve(named: "nextchar") == cached)
    }

    @Test func defaultCacheDirectoryFollowsTheEnvironment() {
        #expect(DatasetCache.defaultDirectory(environment: ["RNNSWEEP_CACHE_DIR": "/tmp/x"]).path == "/tmp/x")
        #expect(DatasetCache.defaultDirectory(environment: ["HOME": "/h"]).path == "/h/.cache/rnnsweep/datasets")
        let resolver = DatasetResolver(environment: ["RNNSWEEP_DATA_DIR": "/data", "RNNSWEEP_CACHE_DIR": "/c"])
        #expect(resolver.dataDirectory?.path == "/data" && resolver.cache.directory.path == "/c")
    }
}
