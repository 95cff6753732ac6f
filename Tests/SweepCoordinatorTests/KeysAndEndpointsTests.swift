import Foundation
import Testing
@testable import SweepCoordinator
import SweepTestSupport

@Suite struct KeysAndEndpointsTests {
    @Test func onlyLoopbackAndIPCEndpointsAreLocal() {
        #expect(EndpointScope.isLocal("tcp://127.0.0.1:5555"))
        #expect(EndpointScope.isLocal("tcp://localhost:*"))
        #expect(EndpointScope.isLocal("tcp://[::1]:5555"))
        #expect(EndpointScope.isLocal("ipc:///tmp/x.sock"))
        #expect(!EndpointScope.isLocal("tcp://0.0.0.0:5555"))
        #expect(!EndpointScope.isLocal("tcp://10.77.0.1:5555"))
        #expect(!EndpointScope.isLocal("tcp://*:5555"))
    }

    @Test func keygenFilesRoundTripAndAllowListsAcceptKeysWithHashSigns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pair = try CurveKeyFiles.generate()
        let file = dir.appendingPathComponent("c.key")
        try CurveKeyFiles.write(pair, to: file)
        #expect(try CurveKeyFiles.readKeyPair(file) == pair)
        #expect(try CurveKeyFiles.readPublicKey(file) == pair.publicKey)
        let hashKey = "#" + String(repeating: "a", count: 39)
        let allow = dir.appendingPathComponent("allowed")
        try Data("# workers\n\(pair.publicKey)\npublic \(hashKey)\n\n".utf8).write(to: allow)
        #expect(try CurveKeyFiles.readAllowList(allow) == [pair.publicKey, hashKey])
        try Data("not-a-key\n".utf8).write(to: allow)
        #expect(throws: RunSetupError.self) { try CurveKeyFiles.readAllowList(allow) }
    }

    @Test func csvTableParsesQuotedFieldsAndCRLF() {
        let table = CSVTable.parse("a,b,c\r\n1,\"x, \"\"y\"\"\",\r\n2,\"line\nbreak\",z\r\n")
        #expect(table.header == ["a", "b", "c"])
        #expect(table.rows == [["1", "x, \"y\"", ""], ["2", "line\nbreak", "z"]])
    }
}
