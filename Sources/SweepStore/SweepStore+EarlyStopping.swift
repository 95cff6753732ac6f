import Foundation
import GRDB

extension SweepStore {
    /// Records that an early-stopping rule (or the budget) stopped a trial at `epoch`. In one
    /// transaction: the trial becomes `stopped`, its attempt (if `attempt` > 0) is closed as
    /// `stopped`, and a results row with status `stopped` keeps `epoch` as `epochs_run` and the
    /// metrics of that epoch, so results.csv shows where and how it stopped. `attempt` 0: it never
    /// ran, and its results row says so. A trial that already has a final result is left alone
    /// (returns false).
    @discardableResult
    public func recordStopped(trialID: String, attempt: Int, epoch: Int, reason: String, at now: Date = Date()) throws -> Bool {
        try write { try $0.recordStopped(trialID: trialID, attempt: attempt, epoch: epoch, reason: reason, at: now) }
    }

    @discardableResult
    public func promote(trialID: String, at now: Date = Date()) throws -> Bool {
        try write { try $0.promote(trialID: trialID, at: now) }
    }
}

extension StoreTransaction {
    /// `SweepStore.recordStopped`, inside this transaction.
    @discardableResult
    public func recordStopped(trialID: String, attempt: Int, epoch: Int, reason: String, at now: Date = Date()) throws -> Bool {
        do {
            try requireTrialExists(trialID)
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
            let trial = try Row.fetchOne(db, sql: "SELECT parameters FROM trials WHERE trial_id = ?", arguments: [trialID])
            let parameters: Int? = trial?["parameters"]
            // Attempt 0: the budget stopped the trial before it ever ran.
            let resultAttempt = max(0, attempt)
            // The stored object is a result object like any other (SPEC.md §4.2): the metrics of the
            // epoch it stopped at, and why it stopped as its message.
            let metrics = ResultMetrics(
                epochsRun: epoch, bestEpoch: best?.epoch, bestValLoss: best?.valLoss, trainLoss: last?.trainLoss,
                valLoss: last?.valLoss, valAccuracy: last?.valAccuracy, valPerplexity: last?.valPerplexity,
                trainingSeconds: epochs.isEmpty ? nil : seconds, tokensPerSecond: last?.tokensPerSecond)
            let worker = try Row.fetchOne(db, sql: "SELECT worker_id, host FROM attempts WHERE trial_id = ? AND attempt = ?",
                                          arguments: [trialID, attempt])
            let row = TrialResult(trialID: trialID, attempt: resultAttempt, workerID: worker?["worker_id"], workerHost: worker?["host"],
                                  status: .stopped, parameters: parameters, metrics: metrics, message: reason)
            try SweepStore.writeResultRow(db, row, at: now)
            try db.execute(
                sql: """
                    UPDATE trials SET status = ?, worker_id = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE trial_id = ?
                    """,
                arguments: [TrialStatus.stopped.rawValue, now.stored, trialID])
            if attempt > 0 {
                try db.execute(
                    sql: "UPDATE attempts SET ended_at = ?, outcome = ?, message = ? WHERE trial_id = ? AND attempt = ? AND ended_at IS NULL",
                    arguments: [now.stored, TrialStatus.stopped.rawValue, reason, trialID, attempt])
            }
            return true
        }
    }

    /// A stopped trial continues (ASHA promoted it): queued again, its `stopped` results row gone;
    /// its epochs and checkpoints stay, and the next attempt resumes from the latest checkpoint.
    @discardableResult
    public func promote(trialID: String, at now: Date = Date()) throws -> Bool {
        do {
            try requireTrialExists(trialID)
            try db.execute(sql: "DELETE FROM results WHERE trial_id = ? AND status = ?", arguments: [trialID, TrialStatus.stopped.rawValue])
            try db.execute(
                sql: "UPDATE trials SET status = ?, updated_at = ? WHERE trial_id = ? AND status = ?",
                arguments: [TrialStatus.queued.rawValue, now.stored, trialID, TrialStatus.stopped.rawValue])
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
