import Foundation
import SweepProtocol
import SweepStore

/// Progress inside epochs (BATCH_PROGRESS, SPEC.md §3.2) and workers' signs of life: kept in
/// memory for the live view as they arrive, and written to sweep.db at most once a second in one
/// transaction, for `coordinator status` in another process.
struct LivenessLedger {
    /// The lease holder's latest progress, by trial.
    var progress: [String: TrialProgress] = [:]
    /// Progress not yet written, by trial.
    var unwritten: [String: TrialProgress] = [:]
    /// Workers heard from since the last write, and when.
    var seen: [String: Date] = [:]
    var lastWrite = -Double.infinity
    var writeFailureLogged = false
    static let writeInterval = 1.0
}

extension CoordinatorService {
    func handleBatchProgress(_ report: BatchProgress, worker: WorkerID, now: Double) {
        let key = LeaseKey(report)
        guard acceptFromHolder(key, command: .batchProgress, worker: worker, now: now) else { return }
        guard report.epoch <= epochs(of: report.trialId) else {
            reject(key, .outOfRange, command: .batchProgress, worker: worker)
            return
        }
        let record = TrialProgress(trialID: report.trialId, attempt: report.attempt, workerID: worker.rawValue,
                                   epoch: report.epoch, batch: report.batch, batches: report.batches, tokens: report.tokens,
                                   tokensPerSecond: report.tokensPerSecond, updatedAt: Date(),
                                   threads: report.threads ?? liveProgress(of: report.trialId)?.threads)
        ledger.progress[report.trialId] = record
        ledger.unwritten[report.trialId] = record
        if let threads = report.threads { noteThreads(threads, of: key, now: now) }
    }

    /// The holder's latest progress of the running attempt of `trialID`, if it has sent any.
    func liveProgress(of trialID: String) -> TrialProgress? {
        guard let p = ledger.progress[trialID], let attempt = attemptOf(trialID), p.attempt == attempt else { return nil }
        return p
    }

    /// Writes what arrived since the last write, at most once per `writeInterval`. Best effort:
    /// the rows are a view, not state, so while sweep.db fails they wait (coalesced, one per trial
    /// and worker) instead of joining the queue of state writes.
    func writeLiveness(now: Double) {
        guard now - ledger.lastWrite >= LivenessLedger.writeInterval, storeIsWritable,
              !ledger.unwritten.isEmpty || !ledger.seen.isEmpty else { return }
        ledger.lastWrite = now
        // Progress of attempts that ended meanwhile is dropped here and by the store's own check.
        let rows = ledger.unwritten.values.filter { attemptOf($0.trialID) == $0.attempt }
        do {
            try setup.store.recordLiveness(progress: Array(rows), workersSeen: ledger.seen)
            ledger.unwritten = [:]
            ledger.seen = [:]
            ledger.writeFailureLogged = false
        } catch {
            if !ledger.writeFailureLogged {
                ledger.writeFailureLogged = true
                logger.warning("recording progress in \(setup.folder.database.path) failed: \(error); retrying every second")
            }
        }
    }
}
