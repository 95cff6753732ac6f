import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Per-thread nice values (Linux schedules threads, and `setpriority` on a thread id affects only
/// that thread). The trainer runs a little nicer than the I/O thread so heartbeats are never
/// starved on a busy host. `gettid` is looked up by symbol: Glibc's module does not import it.
public enum ThreadPriority {
    public static func lowerCurrentThread(by increment: Int32) {
        #if os(Linux)
        typealias GetTID = @convention(c) () -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gettid") else { return }
        let tid = unsafeBitCast(symbol, to: GetTID.self)()
        let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid))
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid), current + increment)
        #endif
    }
}
