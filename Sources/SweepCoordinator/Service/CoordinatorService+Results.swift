import Foundation
import SweepProtocol
import SweepStore

extension CoordinatorService {
    /// RESULT and result-like FAILED: commit to SQLite first, then ACK (DESIGN §4 "Delivery").
    func handleResult(trialID: String, attempt: Int, status: TrialStatus, result: SweepProtocol.JSONValue,
                      worker: WorkerID, now: Double) {
        switch scheduler.classifyResult(trialID: trialID, attempt: attempt) {
        case .unknownTrial:
            logger.warning("result for unknown trial \(trialID) from \(worker); dropped")
            send(.resultAck(ResultAck(trialId: trialID)), to: worker)
        case .duplicate:
            send(.resultAck(ResultAck(trialId: trialID)), to: worker)
        case .superseded(let winner):
            recordEvent("duplicate", "trial \(trialID): attempt \(attempt) finished after attempt \(winner) won; ignored",
                        trial: trialID, worker: worker)
            send(.resultAck(ResultAck(trialId: trialID)), to: worker)
            send(.stop(Stop(trialId: trialID, reason: "attempt \(winner) already finished this trial")), to: worker)
        case .commit:
            let row = ResultFields.storeResult(trialID: trialID, attempt: attempt, worker: scheduler.worker(worker),
                                               status: status, result: result)
            do {
                _ = try setup.store.recordResult(row)
                try setup.store.endAttempt(trialID: trialID, attempt: attempt, outcome: status.rawValue,
                                           message: result["message"]?.stringValue)
            } catch {
                // Not committed: no ACK, so the worker keeps it in its outbox and sends it again.
                logger.error("committing the result of trial \(trialID) failed: \(error)")
                return
            }
            let outcome = TrialOutcome(rawValue: status.rawValue) ?? .done
            apply(scheduler.resultCommitted(trialID: trialID, attempt: attempt, outcome: outcome, from: worker, now: now), now: now)
            send(.resultAck(ResultAck(trialId: trialID)), to: worker)
            if let started = trialStart[trialID] { eta.trialFinished(seconds: now - started) }
            currentEpoch[worker] = nil
            exportResults()
            let loss = row.valLoss.map { String(format: " val loss %.4f", $0) } ?? ""
            recordEvent("result", "trial \(trialID) \(status.rawValue)\(loss) (attempt \(attempt), worker \(worker)); " +
                        "\(scheduler.counts.finished)/\(scheduler.counts.total) finished", trial: trialID, worker: worker)
        }
    }

    /// FAILED: config errors and divergence are results; infra failures are retried.
    func handleFailed(_ failed: Failed, worker: WorkerID, now: Double) {
        switch failed.failureClass {
        case .config, .diverged:
            var fields: [String: SweepProtocol.JSONValue] = ["message": .string(failed.message)]
            if case .object(let extra)? = failedDetails(failed) { fields.merge(extra) { a, _ in a } }
            handleResult(trialID: failed.trialId, attempt: failed.attempt,
                         status: failed.failureClass == .config ? .configError : .diverged,
                         result: .object(fields), worker: worker, now: now)
        case .infra:
            send(.resultAck(ResultAck(trialId: failed.trialId)), to: worker)
            _ = try? setup.store.recordInfraFailure(workerID: worker.rawValue)
            _ = try? setup.store.endAttempt(trialID: failed.trialId, attempt: failed.attempt, outcome: "infra", message: failed.message)
            recordEvent("infra", "trial \(failed.trialId) attempt \(failed.attempt) failed on \(worker): \(failed.message)",
                        trial: failed.trialId, worker: worker)
            let events = scheduler.infraFailure(from: worker, trialID: failed.trialId, attempt: failed.attempt,
                                                reason: failed.message, now: now)
            // The attempt row is already closed as infra; do not overwrite it with "lost".
            apply(events.map { event in
                if case .requeued(let id, _, let reason) = event, id == failed.trialId {
                    return .requeued(trialID: id, attempt: 0, reason: reason)
                }
                return event
            }, now: now)
        }
    }

    /// Extra metrics a worker may put in a FAILED message (JSON after a newline, e.g. epochs run).
    private func failedDetails(_ failed: Failed) -> SweepProtocol.JSONValue? {
        guard let newline = failed.message.firstIndex(of: "\n") else { return nil }
        let json = failed.message[failed.message.index(after: newline)...]
        return try? JSONDecoder().decode(SweepProtocol.JSONValue.self, from: Data(json.utf8))
    }
}
