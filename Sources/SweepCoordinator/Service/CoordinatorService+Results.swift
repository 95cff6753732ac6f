import Foundation
import SweepProtocol
import SweepStore

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
            persist("recording the infra failure of trial \(key.trialID)") { [store = setup.store] in
                _ = try store.recordInfraFailure(workerID: worker.rawValue)
                _ = try store.endAttempt(trialID: key.trialID, attempt: key.attempt, outcome: "infra", message: failed.message)
            }
            recordEvent("infra", "trial \(key.trialID) attempt \(key.attempt) failed on \(worker): \(failed.message.prefix(500))",
                        trial: key.trialID, worker: worker)
            let events = scheduler.infraFailure(from: worker, trialID: key.trialID, attempt: key.attempt,
                                                reason: String(failed.message.prefix(500)), now: now)
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
            send(ack, to: worker)
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
        // The store's own parameter count; a failed read only leaves the cell empty.
        let parameters = readStore("trial \(key.trialID)", { try setup.store.trial(id: key.trialID) })??.parameters
        let entry = scheduler.worker(worker)
        let row = StoreTrialResult(trialID: key.trialID, attempt: key.attempt, workerID: entry?.id.rawValue,
                                   workerHost: entry?.host, status: status, parameters: parameters, metrics: metrics,
                                   message: message)
        let late = verdict == .lateHolder
        do {
            _ = try setup.store.recordResult(row)
        } catch {
            // Not committed (one transaction, so nothing half-written): no ACK, so the worker keeps
            // it in its outbox and sends it again.
            storeFailed("committing the result of trial \(key.trialID)", error)
            return
        }
        // The result is durable: the bookkeeping around it follows in order, now or once the store
        // takes writes again.
        let attemptMessage = message.map { String($0.prefix(2000)) }
        persist("closing attempt \(key.attempt) of trial \(key.trialID)") { [store = setup.store] in
            _ = try store.endAttempt(trialID: key.trialID, attempt: key.attempt, outcome: status.rawValue, message: attemptMessage)
        }
        // The trial keeps the curve and checkpoints of the attempt whose result it records; a late
        // result's own history replaces epochs another attempt reported meanwhile.
        let history = late ? metrics?.history ?? [] : []
        persist("keeping the checkpoints of trial \(key.trialID) attempt \(key.attempt)") { [weak self, store = setup.store] in
            let obsolete = try store.keepLineage(trialID: key.trialID, attempt: key.attempt, history: history)
            self?.removeCheckpointFiles(obsolete)
        }
        // A late result supersedes the attempt running now: close its row, forget its epoch.
        if case .running(let holder, let current)? = scheduler.state(of: key.trialID)?.phase, current != key.attempt {
            persist("closing superseded attempt \(current) of trial \(key.trialID)") { [store = setup.store] in
                _ = try store.endAttempt(trialID: key.trialID, attempt: current, outcome: "superseded",
                                         message: "attempt \(key.attempt) delivered its result late")
            }
            currentEpoch[holder] = nil
        }
        let outcome = TrialOutcome(rawValue: status.rawValue) ?? .done
        apply(scheduler.resultCommitted(trialID: key.trialID, attempt: key.attempt, outcome: outcome, from: worker, now: now), now: now)
        send(ack, to: worker)
        noteSpeed(ofResult: key.trialID)
        currentEpoch[worker] = nil
        // Rewritten on the next due tick, not per result: each rewrite reads every trial.
        resultsDirty = true
        let loss = row.valLoss.map { String(format: " val loss %.4f", $0) } ?? ""
        recordEvent("result", "trial \(key.trialID) \(status.rawValue)\(loss) (attempt \(key.attempt)\(late ? ", delivered late" : ""), worker \(worker)); " +
                    "\(scheduler.counts.finished)/\(scheduler.counts.total) finished", trial: key.trialID, worker: worker)
    }
}
