#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// poll(2) on descriptors alone, for a loop that has no socket to wait on at the moment.
public enum FileDescriptorWait {
    /// Waits up to `timeout` seconds until one of `descriptors` is readable; returns those that are.
    public static func readable(_ descriptors: [Int32], timeout: Double) -> Set<Int32> {
        var items = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let milliseconds = Int32(max(0, (timeout * 1000).rounded(.up)))
        let count = items.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), milliseconds) }
        guard count > 0 else { return [] }
        return Set(items.filter { $0.revents & Int16(POLLIN) != 0 }.map(\.fd))
    }
}
