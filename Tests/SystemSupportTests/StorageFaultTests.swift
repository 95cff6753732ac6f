import Foundation
import SystemSupport
import Testing

/// Which failures say the filesystem cannot take more writes, from real system calls.
@Suite struct StorageFaultTests {
    @Test func writingToAFullDeviceIsExhaustionThroughFoundationAndThroughOurOwnErrors() throws {
        // /dev/full answers every write with ENOSPC.
        let foundation = #expect(throws: (any Error).self) {
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: "/dev/full"))
        }
        #expect(foundation.map(StorageFault.isExhausted) == true)
        let fd = open("/dev/full", O_WRONLY)
        try #require(fd >= 0)
        var byte: UInt8 = 1
        #expect(write(fd, &byte, 1) == -1)
        let ours = DurableFile.IOError(path: "/dev/full", operation: "write", errorNumber: errno)
        close(fd)
        #expect(ours.errorNumber == ENOSPC && ours.reason == "No space left on device")
        #expect(StorageFault.isExhausted(ours))
    }

    @Test func otherFailuresAreNotExhaustion() throws {
        let folder = try TemporaryFolder()
        let missing = folder.url.appendingPathComponent("absent/file")
        let foundation = #expect(throws: (any Error).self) { try Data([1]).write(to: missing) }
        #expect(foundation.map(StorageFault.isExhausted) == false)
        let ours = #expect(throws: DurableFile.IOError.self) { try DurableFile.replace(missing, with: [1]) }
        #expect(ours?.errorNumber == ENOENT)
        #expect(ours.map(StorageFault.isExhausted) == false)
        #expect(!StorageFault.isExhausted(CocoaError(.fileReadCorruptFile)))
        #expect(StorageFault.isExhausted(errorNumber: EROFS) && StorageFault.isExhausted(errorNumber: EDQUOT))
        #expect(!StorageFault.isExhausted(errorNumber: EACCES))
    }
}
