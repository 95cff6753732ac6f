import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Every worker connection, checkpoint file and log costs the coordinator file descriptors; the
/// usual soft limit (1024) runs out with a few hundred workers. The soft limit is raised to the
/// hard one at start, and a hard limit below what the run needs is a clear error, not a failure
/// in the middle of a sweep.
public enum OpenFileLimit {
    /// Descriptors the coordinator needs for `workers` connected workers: two per worker (socket
    /// and its log or a checkpoint being written) plus a fixed reserve for SQLite, ZeroMQ's own
    /// pipes and files.
    public static func needed(workers: Int) -> Int {
        256 + 2 * max(0, min(workers, 1 << 20))
    }

    /// Raises the soft limit as far as the hard limit allows. Returns the new soft limit.
    /// - Throws: `RunSetupError` (exit 2) when even the hard limit is below `needed`.
    @discardableResult
    public static func raise(toServe needed: Int) throws -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return needed }
        let hard = limit.rlim_max
        if limit.rlim_cur < hard {
            var raised = limit
            raised.rlim_cur = hard
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        // RLIM_INFINITY is all ones (it does not import as a constant).
        let soft = Int(clamping: limit.rlim_cur)
        guard soft >= needed else {
            throw RunSetupError("""
                the open-file limit is \(soft) (hard limit \(hard)), \
                but this run needs about \(needed) descriptors; raise it (ulimit -n \(needed), or LimitNOFILE= in a \
                systemd unit) or run fewer workers
                """)
        }
        return soft
    }
}
