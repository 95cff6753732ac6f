/// The scheduler's trial states by id, keeping as they change what would otherwise take a scan
/// of every trial: the counts by phase (progress, completion) and the trials that hold a lease
/// expiry (the only ones `tick` must look at). Every update is O(1), so a decision costs the same
/// in a sweep of ten trials or ten thousand.
public struct TrialTable: Sendable {
    private var states: [String: Scheduler.TrialState] = [:]
    public private(set) var counts = SchedulerCounts()
    /// Ids of the trials whose `leaseExpiry` is set (running and orphaned ones).
    private(set) var withLeaseExpiry: Set<String> = []

    public subscript(id: String) -> Scheduler.TrialState? {
        get { states[id] }
        set {
            if let old = states[id] { counts.add(old.phase, -1) }
            if let newValue {
                counts.add(newValue.phase, 1)
                if newValue.leaseExpiry != nil { withLeaseExpiry.insert(id) } else { withLeaseExpiry.remove(id) }
            } else {
                withLeaseExpiry.remove(id)
            }
            states[id] = newValue
        }
    }

    public var count: Int { states.count }
    /// Every trial's state (O(N): reports and tests, not per decision).
    public var values: Dictionary<String, Scheduler.TrialState>.Values { states.values }
    public var keys: Dictionary<String, Scheduler.TrialState>.Keys { states.keys }
}

extension SchedulerCounts {
    /// Counts `delta` trials in `phase`.
    mutating func add(_ phase: TrialPhase, _ delta: Int) {
        switch phase {
        case .queued, .orphaned: queued += delta
        case .running: running += delta
        case .finished(.done, _): done += delta
        case .finished(.diverged, _): diverged += delta
        case .finished(.configError, _): configError += delta
        case .finished(.failed, _): failed += delta
        case .finished(.stopped, _): stopped += delta
        }
    }
}
