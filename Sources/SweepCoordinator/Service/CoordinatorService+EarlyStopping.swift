import Foundation
import SweepStore

extension CoordinatorService {
    /// Records what early stopping decided: every decision and promotion is an event (report.html
    /// marks them per trial), a stop is a `stopped` trial with its last metrics.
    func applyEarlyStopping(_ event: SchedulerEvent) {
        switch event {
        case .decision(let trialID, let epoch, let stop, let reason):
            recordEvent("decision", "trial \(trialID) epoch \(epoch): \(stop ? "stop" : "continue") (\(reason))", trial: trialID)
        case .stopped(let trialID, let attempt, let epoch, let reason):
            persist("recording trial \(trialID) stopped") { tx in
                _ = try tx.recordStopped(trialID: trialID, attempt: attempt, epoch: epoch, reason: reason)
            }
            for (worker, trial) in scheduler.workerEntries.map({ ($0.id, $0.trialID) }) where trial == nil { currentEpoch[worker] = nil }
            resultsDirty = true
            recordEvent("stopped", "trial \(trialID) stopped at epoch \(epoch): \(reason)", trial: trialID)
        case .promoted(let trialID, let epoch, let reason):
            persist("promoting trial \(trialID)") { tx in
                _ = try tx.promote(trialID: trialID)
            }
            resultsDirty = true
            recordEvent("promoted", "trial \(trialID) promoted from epoch \(epoch): \(reason)", trial: trialID)
        case .budgetSpent(let reason):
            recordEvent("budget", "\(reason): nothing more is assigned")
        default:
            break
        }
    }
}
