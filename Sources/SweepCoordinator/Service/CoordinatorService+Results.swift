import Foundation
import SweepProtocol
import SweepStore
import SystemSupport

extension CoordinatorService {
    /// RESULT: judged against the trial's leases, range-checked against the trial's own config,
    /// committed to SQLite, then acknowledged (SPEC.md §5).
    func handleResult(_ result: SweepProtocol.TrialResult, worker: WorkerID, now: Double) {
        var status: TrialStatus = result.status == .diverged ? .diverged : .done
        // A "completed" run whose losses are not finite diverged, whatever the worker says.
        if status == .done, !(result.result.valLoss?.isFinite ?? true) || !(result.result.trainLoss?.isFinite ?? true) {
            status = .diverged
        }
        record(LeaseKey(result), command: .result, status: status, metrics: result.result, message: result.result.message,
               worker: worker, now: now)
        loopWait.end(at: now)
    }

    /// FAILED: config errors and divergence are results; infra failures are retried. Only the lease
    /// holder may report an infra failure.
    func handleFailed(_ failed: Failed, worker: WorkerID, now: Double) {
        let key = LeaseKey(failed)
        switch failed.failureClass {
        case .config, .diverged:
            record(key, command: .failed, status: failed.failureClass == .config ? .configError : .diverged,
                   metrics: failed.result, message: failed.message, worker: worker, now: now)
        case .infra:
            guard acceptFromHolder(key, command: .failed, worker: worker, now: now) else { return }
            send(.resultAck(ResultAck(trialId: key.trialID, attempt: key.attempt, leaseId: key.leaseID)), to: worker)
            // The worker's own storage failed: its attempt is not one of the trial's (not counted
            // against max_attempts, here or when a restarted run rebuilds the count).
            let workerFault = failed.workerFault == true
            let outcome = workerFault ? "worker_fault" : "infra"
            persist("recording the infra failure of trial \(key.trialID)") { tx in
                _ = try tx.recordInfraFailure(workerID: worker.rawValue)
                _ = try tx.endAttempt(trialID: key.trialID, attempt: key.attempt, outcome: outcome, message: failed.message)
            }
            recordEvent("infra", "trial \(key.trialID) attempt \(key.attempt) failed on \(worker)" +
                        "\(workerFault ? " (the worker's storage; the trial is not charged)" : ""): \(failed.message.prefix(500))",
                        trial: key.trialID, worker: worker)
            let events = scheduler.infraFailure(from: worker, trialID: key.trialID, attempt: key.attempt,
                                                reason: String(failed.message.prefix(500)), workerFault: workerFault, now: now)
            // The attempt row is already closed as infra; do not overwrite it with "lost".
            apply(events.map { event in
                if case .requeued(let id, _, let reason) = event, id == key.trialID {
                    return .requeued(trialID: id, attempt: 0, reason: reason)
                }
                return event
            }, now: now)
        }
    }

    /// Records a trial's final result if `judge` allows it: commit first, then ACK.
    private func record(_ key: LeaseKey, command: Command, status: TrialStatus, metrics: ResultMetrics?, message: String?,
                        worker: WorkerID, now: Double) {
        let (verdict, events) = scheduler.judge(key, from: worker, kind: .result, now: now)
        apply(events, now: now)
        let ack = Message.resultAck(ResultAck(trialId: key.trialID, attempt: key.attempt, leaseId: key.leaseID))
        switch verdict {
        case .rejected(let code):
            reject(key, code, command: command, worker: worker)
            return
        case .duplicate:
            // The first copy may still wait for its commit.
            afterQueuedWrites { [unowned self] in send(ack, to: worker) }
            return
        case .holder, .lateHolder:
            break
        }
        if let metrics, let problem = ResultBounds.outOfRange(metrics, epochs: epochs(of: key.trialID)) {
            noteDropped(peer: worker.rawValue, "\(command.rawValue) for trial \(key.trialID): \(problem)", trial: key.trialID)
            send(.stop(Stop(trialId: key.trialID, attempt: key.attempt, code: .outOfRange, reason: problem)), to: worker)
            return
        }
        // Committed before it is acknowledged: while the store fails, the worker keeps the result
        // in its outbox and sends it again.
        guard storeIsWritable else {
            logger.warning("result of trial \(key.trialID) attempt \(key.attempt) not recorded yet: sweep.db cannot be written")
            return
        }
        // The store's own parameter count (read once at start).
        let entry = scheduler.worker(worker)
        let row = StoreTrialResult(trialID: key.trialID, attempt: key.attempt, workerID: entry?.id.rawValue,
                                   workerHost: entry?.host, status: status, parameters: parameters[key.trialID] ?? nil,
                                   metrics: metrics, message: message)
        let late = verdict == .lateHolder
        let attemptMessage = message.map { String($0.prefix(2000)) }
        // The trial keeps the curve and checkpoints of the attempt whose result it records; a late
        // result's own history replaces epochs another attempt reported meanwhile.
        let history = late ? metrics?.history ?? [] : []
        // A late result supersedes the attempt running now: its row is closed too.
        var superseded: (holder: WorkerID, attempt: Int)?
        if case .running(let holder, let current)? = scheduler.state(of: key.trialID)?.phase, current != key.attempt {
            superseded = (holder, current)
        }
        // Queued durably with this turn's writes: it commits with the next assignment (a worker sends
        // READY right behind its RESULT) or at the end of the turn, and only then is it acknowledged.
        // If that commit fails nothing is half-written and no ACK goes out; the queued writes are
        // retried and the worker keeps the result in its outbox meanwhile.
        let supersededAttempt = superseded?.attempt
        let queued = persistUnnaming("recording the result of trial \(key.trialID)", durable: true) { tx in
            _ = try tx.recordResult(row)
            _ = try tx.endAttempt(trialID: key.trialID, attempt: key.attempt, outcome: status.rawValue, message: attemptMessage)
            // Files go only once the rows that named them are gone for good.
            let unnamed = try tx.keepLineage(trialID: key.trialID, attempt: key.attempt, history: history)
            // Epochs whose PROGRESS was lost (e.g. sent before a reconnect) come from the result's curve.
            if !late, let curve = metrics?.history, !curve.isEmpty {
                try tx.recordMissingEpochs(trialID: key.trialID, attempt: key.attempt, history: curve)
            }
            if let supersededAttempt {
                _ = try tx.endAttempt(trialID: key.trialID, attempt: supersededAttempt, outcome: "superseded",
                                      message: "attempt \(key.attempt) delivered its result late")
            }
            return unnamed
        }
        guard queued else { return }
        afterQueuedWrites { [unowned self] in
            send(ack, to: worker)
            noteSpeed(ofResult: key.trialID)
        }
        if let superseded { currentEpoch[superseded.holder] = nil }
        let outcome = TrialOutcome(rawValue: status.rawValue) ?? .done
        apply(scheduler.resultCommitted(trialID: key.trialID, attempt: key.attempt, outcome: outcome, from: worker, now: now), now: now)
        currentEpoch[worker] = nil
        // Rewritten on the next due tick, not per result: each rewrite reads every trial.
        resultsDirty = true
        let loss = row.valLoss.map { " val loss " + FixedPointText.string($0, places: 4) } ?? ""
        recordEvent("result", "trial \(key.trialID) \(status.rawValue)\(loss) (attempt \(key.attempt)\(late ? ", delivered late" : ""), worker \(worker)); " +
                    "\(scheduler.counts.finished)/\(scheduler.counts.total) finished", trial: key.trialID, worker: worker)
    }
}
