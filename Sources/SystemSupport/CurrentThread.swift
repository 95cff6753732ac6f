#if canImport(Glibc)
import CSystemShim
import Glibc
#endif

/// Settings of the calling thread. Nice values are per thread on Linux (`setpriority` on a thread
/// id affects only that thread): the trainer runs a little nicer than the I/O thread so heartbeats
/// are never starved on a busy host.
public enum CurrentThread {
    public static func lowerPriority(by increment: Int32) {
        #if os(Linux)
        let tid = id_t(gettid())
        let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, current + increment)
        #endif
    }

    /// Sets the calling thread's kernel name (at most 15 bytes), shown by `top -H` and in /proc.
    public static func setName(_ name: String) {
        #if os(Linux)
        _ = pthread_setname_np(pthread_self(), String(decoding: name.utf8.prefix(15), as: UTF8.self))
        #endif
    }
}
