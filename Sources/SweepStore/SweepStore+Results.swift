import Foundation
import GRDB

extension SweepStore {
    /// Records a trial's result exactly once. In one transaction: the result row, the trial's
    /// status (the result's), its worker and lease cleared, and the producing attempt closed.
    /// The first result wins: a later one (any attempt) changes nothing and reports the stored
    /// attempt. When this returns, the result is durable (`durableWrite`); only then may
    /// RESULT_ACK be sent.
    public func recordResult(_ result: TrialResult, at now: Date = Date()) throws -> RecordOutcome {
        try write(durable: true) { try $0.recordResult(result, at: now) }
    }
}

extension StoreTransaction {
    /// `SweepStore.recordResult`, inside this transaction; the caller makes the transaction
    /// durable (`SweepStore.write(durable: true)`) before it acknowledges the result.
    public func recordResult(_ result: TrialResult, at now: Date = Date()) throws -> RecordOutcome {
        guard result.status.isFinished else {
            throw StoreError.resultStatusNotFinished(trialID: result.trialID, status: result.status)
        }
        do {
            try requireTrialExists(result.trialID)
            if let existing = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT attempt FROM results WHERE trial_id = ?"), arguments: [result.trialID]) {
                return .duplicate(existingAttempt: existing)
            }
            try SweepStore.writeResultRow(db, result, at: now)
            try db.cachedStatement(
                sql: """
                    UPDATE trials SET status = ?, worker_id = NULL, lease_expires_at = NULL,
                        attempts = MAX(attempts, ?), parameters = COALESCE(?, parameters), updated_at = ?
                    WHERE trial_id = ?
                    """).execute(
                arguments: [result.status.rawValue, result.attempt, result.parameters, now.stored, result.trialID])
            try db.cachedStatement(
                sql: """
                    UPDATE attempts SET ended_at = ?, outcome = ?
                    WHERE trial_id = ? AND attempt = ? AND ended_at IS NULL
                    """).execute(
                arguments: [now.stored, result.status.rawValue, result.trialID, result.attempt])
            return .recorded
        }
    }
}

extension SweepStore {
    /// The stored result of a trial, or nil.
    public func result(trialID: String) throws -> TrialResult? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM results WHERE trial_id = ?", arguments: [trialID])
                .map(TrialResult.init(row:))
        }
    }

    /// Every stored result, by trial, in one read (a run's setup restores them all).
    public func resultsByTrial() throws -> [String: TrialResult] {
        try pool.read { db in
            // trial_id is the table's primary key: one row per trial.
            Dictionary(try Row.fetchAll(db, sql: "SELECT * FROM results").map(TrialResult.init(row:)).map { ($0.trialID, $0) },
                       uniquingKeysWith: { first, _ in first })
        }
    }

    /// Writes a trial's results row (replacing the one it has): the one writer of that table,
    /// for results workers deliver and for trials early stopping stopped.
    static func writeResultRow(_ db: Database, _ result: TrialResult, at now: Date) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO results (trial_id, attempt, worker_id, worker_host, status, epochs_run, best_epoch,
                    train_loss, val_loss, val_accuracy, val_perplexity, overfit_pct, training_seconds,
                    inference_seconds_per_1000, ms_per_char, parameters, size_mb, macs_per_char,
                    training_flops, tokens_per_second, sample, result_json, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
                result.trialID, result.attempt, result.workerID, result.workerHost, result.status.rawValue,
                result.epochsRun, result.bestEpoch, result.trainLoss, result.valLoss, result.valAccuracy,
                result.valPerplexity, result.overfitPct, result.trainingSeconds, result.inferenceSecondsPer1000,
                result.msPerChar, result.parameters, result.sizeMB, result.macsPerChar, result.trainingFlops,
                result.tokensPerSecond, result.sample, result.resultJSON, now.stored,
            ])
    }
}
