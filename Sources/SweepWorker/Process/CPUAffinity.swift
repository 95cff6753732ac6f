#if canImport(Glibc)
import CSystemShim
import Glibc
#endif

/// Pins the calling process to one core (sched_setaffinity), so N workers on N cores do not migrate.
public enum CPUAffinity {
    /// Returns false when pinning is unsupported or refused (the worker then runs unpinned).
    @discardableResult
    public static func pin(toCore core: Int) -> Bool {
        #if os(Linux)
        guard let cpu = Int32(exactly: core) else { return false }
        var mask = csys_cpu_set_t()
        csys_cpu_zero(&mask)
        guard csys_cpu_set(cpu, &mask) == 0 else { return false }
        return sched_setaffinity(0, MemoryLayout<csys_cpu_set_t>.size, &mask) == 0
        #else
        return false
        #endif
    }
}
