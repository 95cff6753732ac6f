import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether `fd` has something to read right now.
func isReadable(_ fd: Int32) -> Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLIN) != 0
}

/// The process's open file descriptors, from /proc/self/fd.
enum OpenDescriptors {
    static func count() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
    }

    /// How many signalfds (dispatch's signal sources on Linux) watch `signal`.
    static func signalFDs(watching signal: Int32) -> Int {
        let mask = String(format: "sigmask:\t%016llx", UInt64(1) << UInt64(signal - 1))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fdinfo")) ?? []
        return names.filter {
            ((try? String(contentsOfFile: "/proc/self/fdinfo/\($0)", encoding: .utf8)) ?? "").contains(mask)
        }.count
    }
}
