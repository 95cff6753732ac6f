import Foundation
import SystemSupport
import Testing

@Suite struct DurableFileTests {
    @Test func writesThenReplacesWholeFilesAndLeavesNoTemporaryFiles() throws {
        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("epoch-1.safetensors")
        let first = [UInt8]((0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try DurableFile.replace(file, with: first)
        #expect(try DurableFile.read(atPath: file.path) == first)

        let second = Data("shorter".utf8)
        try DurableFile.replace(atPath: file.path, with: second)
        #expect(try Data(contentsOf: file) == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["epoch-1.safetensors"])
    }

    @Test func anEmptyFileRoundTrips() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("empty").path
        try DurableFile.replace(atPath: path, with: [UInt8]())
        #expect(try DurableFile.read(atPath: path) == [])
    }

    @Test func aFileCreatedThenRenamedReplacesTheOldOneAndCreateRefusesAnExistingFile() throws {
        let folder = try TemporaryFolder()
        let target = folder.url.appendingPathComponent("epoch-2.safetensors").path
        let incoming = target + ".incoming"
        try DurableFile.replace(atPath: target, with: [1, 2, 3])
        try DurableFile.create(atPath: incoming, with: [4, 5])
        #expect(throws: DurableFile.IOError(path: incoming, operation: "create", errorNumber: EEXIST)) {
            try DurableFile.create(atPath: incoming, with: [6])
        }
        #expect(try DurableFile.read(atPath: incoming) == [4, 5])
        #expect(try DurableFile.read(atPath: target) == [1, 2, 3])
        try DurableFile.rename(atPath: incoming, to: target)
        #expect(try DurableFile.read(atPath: target) == [4, 5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["epoch-2.safetensors"])
        #expect(throws: DurableFile.IOError.self) { try DurableFile.rename(atPath: incoming, to: target) }
    }

    @Test func aMissingFolderIsAnErrorNamingThePathAndTheCause() throws {
        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("absent/epoch-1.safetensors")
        #expect {
            try DurableFile.replace(file, with: [UInt8](repeating: 1, count: 10))
        } throws: { error in
            guard let error = error as? DurableFile.IOError else { return false }
            return error.operation == "create" && error.path.hasPrefix(folder.url.path + "/absent/.epoch-1.safetensors.tmp-")
                && error.reason == "No such file or directory" && error.errorNumber == ENOENT
        }
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(throws: DurableFile.IOError(path: file.path, operation: "open", errorNumber: ENOENT)) {
            try DurableFile.read(atPath: file.path)
        }
    }

    @Test func aFolderIsCreatedOnceAndAFileRemovedOnlyIfPresent() throws {
        let folder = try TemporaryFolder()
        let trial = folder.url.appendingPathComponent("a1b2c3").path
        #expect(try DurableFile.createFolder(atPath: trial))
        #expect(try DurableFile.createFolder(atPath: trial) == false)
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: trial, isDirectory: &isFolder) && isFolder.boolValue)
        let nested = folder.url.appendingPathComponent("absent/a1b2c3").path
        #expect(throws: DurableFile.IOError(path: nested, operation: "create folder", errorNumber: ENOENT)) {
            try DurableFile.createFolder(atPath: nested)
        }

        let file = trial + "/epoch-1.safetensors.incoming"
        try DurableFile.create(atPath: file, with: [1])
        try DurableFile.removeIfPresent(atPath: file)
        #expect(!FileManager.default.fileExists(atPath: file))
        try DurableFile.removeIfPresent(atPath: file)
        #expect(throws: DurableFile.IOError(path: trial, operation: "remove", errorNumber: EISDIR)) {
            try DurableFile.removeIfPresent(atPath: trial)
        }
    }
}
