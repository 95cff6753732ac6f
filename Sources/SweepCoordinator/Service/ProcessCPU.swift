import Foundation

/// This process's own CPU time (getrusage RUSAGE_SELF: not the workers, which are children).
/// The coordinator reports it at the end of a run so its overhead is measured, not guessed.
struct ProcessCPU {
    let cpuSeconds: Double
    let wallSeconds: Double

    static func now(wall: Double) -> ProcessCPU {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return ProcessCPU(cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime), wallSeconds: wall)
    }

    /// "coordinator cpu 1.23 s user+sys over 312.4 s wall (0.39 %)", for the span since `start`.
    func summary(since start: ProcessCPU) -> String {
        let cpu = cpuSeconds - start.cpuSeconds
        let wall = wallSeconds - start.wallSeconds
        let share = wall > 0 ? 100 * cpu / wall : 0
        return "coordinator cpu " + String(format: "%.2f s user+sys over %.1f s wall (%.2f %%)", cpu, wall, share)
    }
}
