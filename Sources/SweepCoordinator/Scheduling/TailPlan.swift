/// The work left at the tail of a sweep, in seconds from now, as the scheduler projects it before
/// it pauses a trial (Scheduler+Pausing.swift): what each busy core still has to do, and the queued
/// trials in the order they would be handed out.
struct TailPlan: Sendable, Equatable {
    /// Seconds left of each running trial, one per busy core.
    var running: [Double]
    /// Seconds of each queued trial, first in line first.
    var queued: [Double]

    /// When the last trial ends if each queued trial goes, in order, to the first core that frees
    /// and nothing is paused (list scheduling). With no busy core the queue never starts: infinity.
    var makespan: Double {
        var free = running.sorted()
        guard !free.isEmpty else { return queued.isEmpty ? 0 : .infinity }
        for work in queued {
            let end = free.removeFirst() + work
            free.insert(end, at: free.firstIndex { $0 > end } ?? free.count)
        }
        return free.last ?? 0
    }
}
