import Foundation
import GRDB

extension SweepStore {
    /// Records that an early-stopping rule (or the budget) stopped a trial at `epoch`. In one
    /// transaction: the trial becomes `stopped`, its attempt (if `attempt` > 0) is closed as
    /// `stopped`, and a results row with status `stopped` keeps `epoch` as `epochs_run` and the
    /// metrics of that epoch, so results.csv shows where and how it stopped. A trial that already
    /// has a final result is left alone (returns false).
    @discardableResult
    public func recordStopped(trialID: String, attempt: Int, epoch: Int, reason: String, at now: Date = Date()) throws -> Bool {
        try pool.write { db in
            _ = try Self.requireTrial(db, trialID)
            if let existing = try String.fetchOne(db, sql: "SELECT status FROM results WHERE trial_id = ?", arguments: [trialID]),
               existing != TrialStatus.stopped.rawValue {
                return false
            }
            let epochs = try Row.fetchAll(
                db, sql: "SELECT * FROM epochs WHERE trial_id = ? AND epoch <= ? ORDER BY epoch", arguments: [trialID, epoch]
            ).map(EpochRow.init(row:))
            let last = epochs.last
            let best = epochs.filter { $0.valLoss?.isFinite ?? false }.min { ($0.valLoss ?? 0) < ($1.valLoss ?? 0) }
            let seconds = epochs.compactMap(\.seconds).reduce(0, +)
            let trial = try Row.fetchOne(db, sql: "SELECT parameters, attempts FROM trials WHERE trial_id = ?", arguments: [trialID])
            let parameters: Int? = trial?["parameters"]
            // A trial the budget stopped before it ran names attempt 1, as a result's attempt is at least 1.
            let resultAttempt = attempt > 0 ? attempt : max(1, trial?["attempts"] ?? 0)
            // The stored object is a result object like any other (SPEC.md §4.2): the metrics of the
            // epoch it stopped at, and why it stopped as its message.
            let metrics = ResultMetrics(
                epochsRun: epoch, bestEpoch: best?.epoch, bestValLoss: best?.valLoss, trainLoss: last?.trainLoss,
                valLoss: last?.valLoss, valAccuracy: last?.valAccuracy, valPerplexity: last?.valPerplexity,
                trainingSeconds: epochs.isEmpty ? nil : seconds, tokensPerSecond: last?.tokensPerSecond)
            let json = TrialResult(trialID: trialID, attempt: resultAttempt, workerID: nil, workerHost: nil, status: .stopped,
                                   parameters: parameters, metrics: metrics, message: reason).resultJSON
            let worker = try Row.fetchOne(db, sql: "SELECT worker_id, host FROM attempts WHERE trial_id = ? AND attempt = ?",
                                          arguments: [trialID, attempt])
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO results (trial_id, attempt, worker_id, worker_host, status, epochs_run, best_epoch,
                        train_loss, val_loss, val_accuracy, val_perplexity, training_seconds, parameters,
                        tokens_per_second, result_json, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    trialID, resultAttempt, worker?["worker_id"] as String?, worker?["host"] as String?, TrialStatus.stopped.rawValue,
                    epoch, best?.epoch, last?.trainLoss, last?.valLoss, last?.valAccuracy, last?.valPerplexity,
                    epochs.isEmpty ? nil : seconds, parameters, last?.tokensPerSecond, json, now,
                ])
            try db.execute(
                sql: """
                    UPDATE trials SET status = ?, worker_id = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE trial_id = ?
                    """,
                arguments: [TrialStatus.stopped.rawValue, now, trialID])
            if attempt > 0 {
                try db.execute(
                    sql: "UPDATE attempts SET ended_at = ?, outcome = ?, message = ? WHERE trial_id = ? AND attempt = ? AND ended_at IS NULL",
                    arguments: [now, TrialStatus.stopped.rawValue, reason, trialID, attempt])
            }
            return true
        }
    }

    /// A stopped trial continues (ASHA promoted it): queued again, its `stopped` results row gone;
    /// its epochs and checkpoints stay, and the next attempt resumes from the latest checkpoint.
    @discardableResult
    public func promote(trialID: String, at now: Date = Date()) throws -> Bool {
        try pool.write { db in
            _ = try Self.requireTrial(db, trialID)
            try db.execute(sql: "DELETE FROM results WHERE trial_id = ? AND status = ?", arguments: [trialID, TrialStatus.stopped.rawValue])
            try db.execute(
                sql: "UPDATE trials SET status = ?, updated_at = ? WHERE trial_id = ? AND status = ?",
                arguments: [TrialStatus.queued.rawValue, now, trialID, TrialStatus.stopped.rawValue])
            return db.changesCount > 0
        }
    }
}

extension SweepStore {
    /// Events of the given kinds, oldest first (the report's rung decisions and promotions).
    public func events(kinds: [String]) throws -> [EventRecord] {
        guard !kinds.isEmpty else { return [] }
        return try pool.read { db in
            let marks = Array(repeating: "?", count: kinds.count).joined(separator: ",")
            return try Row.fetchAll(db, sql: "SELECT * FROM events WHERE kind IN (\(marks)) ORDER BY id",
                                    arguments: StatementArguments(kinds)).map(EventRecord.init(row:))
        }
    }
}
