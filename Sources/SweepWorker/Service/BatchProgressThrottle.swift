import TrialSpec

/// Decides which of the trainer's per-batch reports become BATCH_PROGRESS messages: at most one per
/// `interval` seconds, only when the batch moved, and none for an epoch already reported with
/// PROGRESS (SPEC.md §3.2, rate of BATCH_PROGRESS).
struct BatchProgressThrottle: Sendable {
    let interval: Double
    private var lastSent = -Double.infinity
    private var lastEpoch = 0
    private var lastBatch = -1

    init(interval: Double) { self.interval = interval }

    /// Whether to send `progress` now; if so it counts as sent. `reportedEpoch`: the last epoch
    /// whose PROGRESS went out.
    mutating func admit(_ progress: EpochProgress, reportedEpoch: Int, now: Double) -> Bool {
        guard progress.epoch > reportedEpoch, now - lastSent >= interval,
              progress.epoch != lastEpoch || progress.batch != lastBatch else { return false }
        lastSent = now
        lastEpoch = progress.epoch
        lastBatch = progress.batch
        return true
    }
}
