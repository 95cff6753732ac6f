import Foundation
import SystemSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct WakeupPipeTests {
    @Test func wakeMakesItReadableUntilDrainedAndManyWakesNeverBlock() {
        let pipe = WakeupPipe()
        #expect(pipe.readFD >= 0)
        #expect(!isReadable(pipe.readFD))
        for _ in 0..<100_000 { pipe.wake() }  // far more than a pipe holds: must not block
        #expect(isReadable(pipe.readFD))
        pipe.drain()
        #expect(!isReadable(pipe.readFD))
    }

    @Test func itsDescriptorsAreClosedOnExec() {
        let pipe = WakeupPipe()
        #expect(fcntl(pipe.readFD, F_GETFD) & FD_CLOEXEC != 0)
    }

    @Test func droppingPipesFreesTheirDescriptors() throws {
        let before = try OpenDescriptors.count()
        for _ in 0..<500 { _ = WakeupPipe() }
        // A leak would be 1,000; the slack is for other suites opening files meanwhile.
        #expect(try OpenDescriptors.count() <= before + 100)
    }
}
