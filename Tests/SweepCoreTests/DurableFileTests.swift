import Foundation
import Testing
@testable import SweepCore

@Suite struct DurableFileTests {
    @Test func writesThenReplacesWholeFilesAndLeavesNoTemporaryFiles() throws {
        let folder = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("epoch-1.safetensors")
        let first = [UInt8]((0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try DurableFile.replace(file, with: first)
        #expect(try [UInt8](Data(contentsOf: file)) == first)

        let second = Data("shorter".utf8)
        try DurableFile.replace(file, with: second)
        #expect(try Data(contentsOf: file) == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["epoch-1.safetensors"])
    }

    @Test func aMissingFolderIsAnErrorNamingThePathAndTheCause() throws {
        let folder = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("absent/epoch-1.safetensors")
        do {
            try DurableFile.replace(file, with: [UInt8](repeating: 1, count: 10))
            Issue.record("writing into a missing folder succeeded")
        } catch {
            #expect(error.operation == "create")
            #expect(error.path.hasPrefix(folder.path + "/absent/.epoch-1.safetensors.tmp-"))
            #expect(error.reason == "No such file or directory")
        }
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    @Test func digestsBytesWhereTheyAre() {
        let text = "abc"
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(SHA256Hex.digest(Data(text.utf8)) == expected)
        #expect(SHA256Hex.digest(Array(text.utf8)) == expected)
        #expect(SHA256Hex.digest(Array("xabcx".utf8)[1..<4]) == expected)
    }
}
