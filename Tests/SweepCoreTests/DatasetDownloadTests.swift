import Foundation
import Testing
@testable import SweepCore
import SystemSupport

/// Downloads from a loopback server: verified, cached atomically, fetched once.
@Suite struct DatasetDownloadTests {
    static let nextchar = DatasetRegistry.standard.entry(named: "nextchar")!

    @Test func downloadsVerifiesAndCaches() async throws {
        let bytes = try Data(contentsOf: TestFiles.dataDirectory.appendingPathComponent("nextchar.txt"))
        let server = try LoopbackHTTPServer(body: bytes)
        defer { server.stop() }
        let folder = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let resolver = DatasetResolver(registry: DatasetRegistry.standard.withDownloads(from: server.baseURL), environment: [:],
                                       dataDirectory: folder.appendingPathComponent("empty"), cacheDirectory: folder.appendingPathComponent("cache"), downloadTimeout: 10)
        let first = try await resolver.resolve(named: "nextchar")
        #expect(first == ResolvedDataset(name: "nextchar", path: folder.appendingPathComponent("cache/nextchar.txt"), sha256: Self.nextchar.sha256, byteCount: 2386))
        #expect(try Data(contentsOf: first.path) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("cache").path) == ["nextchar.txt"])
        let second = try await resolver.resolve(named: "nextchar")
        #expect(second == first)
        #expect(server.requestCount == 1)
        #expect(resolver.localCopy(sha256: Self.nextchar.sha256) == first)
    }

    @Test func rejectsDownloadedBytesWithTheWrongHash() async throws {
        let wrong = Data("not the paragraph".utf8)
        let server = try LoopbackHTTPServer(body: wrong)
        defer { server.stop() }
        let folder = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let registry = DatasetRegistry.standard.withDownloads(from: server.baseURL)
        let resolver = DatasetResolver(registry: registry, environment: [:], cacheDirectory: folder, downloadTimeout: 10)
        await #expect(throws: DatasetError.checksumMismatch(path: server.baseURL.appendingPathComponent("nextchar.txt").absoluteString, actual: SHA256Hex.digest(wrong),
                                                            actualBytes: wrong.count, expected: Self.nextchar.sha256, expectedBytes: 2386, dataset: "nextchar")) {
            try await resolver.resolve(named: "nextchar")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func reportsHTTPErrors() async throws {
        let server = try LoopbackHTTPServer(body: Data(), status: "404 Not Found")
        defer { server.stop() }
        let resolver = DatasetResolver(registry: DatasetRegistry.standard.withDownloads(from: server.baseURL), environment: [:],
                                       cacheDirectory: TestFiles.unusedDirectory, downloadTimeout: 10)
        let error = await #expect(throws: DatasetError.self) { try await resolver.resolve(named: "nextchar") }
        guard case .unavailable(_, _, let reason, _, _, _)? = error else { Issue.record("wrong error \(String(describing: error))"); return }
        #expect(reason == "HTTP status 404")
    }
}
