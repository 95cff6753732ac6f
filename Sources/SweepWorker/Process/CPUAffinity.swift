#if canImport(Glibc)
import CSystemShim
import Glibc
#endif

/// Pins the calling process to one core (sched_setaffinity), so N workers on N cores do not migrate.
public enum CPUAffinity {
    /// Returns false when pinning is unsupported or refused (the worker then runs unpinned).
    @discardableResult
    public static func pin(toCore core: Int) -> Bool { pin(toCores: core..<(core + 1)) }

    /// Pins the calling process to `cores` (a multi-threaded trainer's pool spreads over them).
    @discardableResult
    public static func pin(toCores cores: Range<Int>) -> Bool {
        #if os(Linux)
        guard !cores.isEmpty else { return false }
        var mask = csys_cpu_set_t()
        csys_cpu_zero(&mask)
        for core in cores {
            guard let cpu = Int32(exactly: core), csys_cpu_set(cpu, &mask) == 0 else { return false }
        }
        return sched_setaffinity(0, MemoryLayout<csys_cpu_set_t>.size, &mask) == 0
        #else
        return false
        #endif
    }

    /// The cpu ids the calling thread may run on, in order; nil when unknown. Read at start, it is
    /// what a worker offers in HELLO (`cpus`).
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
