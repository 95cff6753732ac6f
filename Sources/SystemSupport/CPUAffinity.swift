#if canImport(Glibc)
import CSystemShim
import Glibc
#endif

/// CPU affinity of the calling thread (sched_setaffinity/getaffinity on thread id 0). Threads
/// created afterwards inherit it, so a worker pinned at start pins everything it runs.
public enum CPUAffinity {
    /// Pins the calling thread to `cpus`; false when refused or unsupported (it then runs unpinned).
    @discardableResult
    public static func pin(_ cpus: [Int]) -> Bool {
        #if os(Linux)
        guard !cpus.isEmpty else { return false }
        var mask = csys_cpu_set_t()
        csys_cpu_zero(&mask)
        for cpu in cpus {
            guard let id = Int32(exactly: cpu), csys_cpu_set(id, &mask) == 0 else { return false }
        }
        return sched_setaffinity(0, MemoryLayout<csys_cpu_set_t>.size, &mask) == 0
        #else
        return false
        #endif
    }

    /// Pins the calling thread to the cores `cores` (e.g. `--pin K` with N cores: K..<K+N).
    @discardableResult
    public static func pin(toCores cores: Range<Int>) -> Bool { pin(Array(cores)) }

    /// The cpu ids the calling thread may run on, in order (at most 1024); nil when unknown.
    public static func allowed() -> [Int]? {
        #if os(Linux)
        var mask = csys_cpu_set_t()
        guard sched_getaffinity(0, MemoryLayout<csys_cpu_set_t>.size, &mask) == 0 else { return nil }
        let cpus = (0..<Int(csys_cpu_capacity())).filter { csys_cpu_isset(Int32($0), &mask) != 0 }
        return cpus.isEmpty ? nil : Array(cpus.prefix(1024))
        #else
        return nil
        #endif
    }
}
