#if canImport(Glibc)
import Glibc
import CSystemShim
#elseif canImport(Darwin)
import Darwin
#endif

/// A pipe that wakes a poll loop from another thread: `wake()` makes `readFD` readable until the
/// loop calls `drain()`. Both ends are non-blocking (a full pipe is already awake) and close-on-exec
/// (spawned workers must not inherit them); `deinit` closes them.
public final class WakeupPipe: Sendable {
    /// Register this with the poller. -1 when the system had no descriptors left: the owner then
    /// notices wake-ups at its next poll timeout instead.
    public let readFD: Int32
    private let writeFD: Int32

    public init() {
        var fds: [Int32] = [-1, -1]
        #if os(Linux)
        let made = pipe2(&fds, O_NONBLOCK | O_CLOEXEC) == 0
        #else
        let made = pipe(&fds) == 0
        if made {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        #endif
        readFD = made ? fds[0] : -1
        writeFD = made ? fds[1] : -1
    }

    deinit {
        if readFD >= 0 { close(readFD) }
        if writeFD >= 0 { close(writeFD) }
    }

    public func wake() {
        guard writeFD >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Empties the pipe after the poller reported it readable.
    public func drain() {
        guard readFD >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buffer, buffer.count) > 0 {}
    }
}
