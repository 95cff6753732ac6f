import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Settings of the calling thread. Nice values are per thread on Linux (`setpriority` on a thread
/// id affects only that thread): the trainer runs a little nicer than the I/O thread so heartbeats
/// are never starved on a busy host. `gettid` is looked up by symbol: Glibc's module does not import it.
public enum CurrentThread {
    public static func lowerPriority(by increment: Int32) {
        #if os(Linux)
        typealias GetTID = @convention(c) () -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gettid") else { return }
        let tid = unsafeBitCast(symbol, to: GetTID.self)()
        let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid))
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid), current + increment)
        #endif
    }

    /// Sets the calling thread's kernel name (at most 15 bytes), shown by `top -H` and in /proc.
    public static func setName(_ name: String) {
        #if os(Linux)
        // Looked up like gettid: Glibc's module leaves out the _GNU_SOURCE declarations.
        typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_setname_np") else { return }
        _ = unsafeBitCast(symbol, to: SetName.self)(pthread_self(), String(decoding: name.utf8.prefix(15), as: UTF8.self))
        #endif
    }
}
