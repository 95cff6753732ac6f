import Foundation
import GRDB

extension SweepStore {
    /// Stores an epoch's metrics. A later (or the same) attempt overwrites the same epoch; a
    /// report from an older attempt than the stored one is ignored (returns false).
    /// Note: SQLite stores NaN as NULL, so a NaN metric reads back as nil.
    @discardableResult
    public func recordEpoch(_ metrics: EpochMetrics, at now: Date = Date()) throws -> Bool {
        try pool.write { db in
            _ = try Self.requireTrial(db, metrics.trialID)
            try db.execute(
                sql: """
                    INSERT INTO epochs (trial_id, attempt, epoch, train_loss, val_loss, val_accuracy,
                                        val_perplexity, seconds, tokens_per_second, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(trial_id, epoch) DO UPDATE SET attempt = excluded.attempt,
                        train_loss = excluded.train_loss, val_loss = excluded.val_loss,
                        val_accuracy = excluded.val_accuracy, val_perplexity = excluded.val_perplexity,
                        seconds = excluded.seconds, tokens_per_second = excluded.tokens_per_second,
                        recorded_at = excluded.recorded_at
                    WHERE excluded.attempt >= epochs.attempt
                    """,
                arguments: [
                    metrics.trialID, metrics.attempt, metrics.epoch, metrics.trainLoss, metrics.valLoss,
                    metrics.valAccuracy, metrics.valPerplexity, metrics.seconds, metrics.tokensPerSecond, now,
                ])
            return db.changesCount > 0
        }
    }

    /// The epochs of a trial, by epoch.
    public func epochs(trialID: String) throws -> [EpochMetrics] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM epochs WHERE trial_id = ? ORDER BY epoch", arguments: [trialID])
                .map(EpochMetrics.init(row:))
        }
    }

    /// Every trial's epochs, by epoch, in one read (the report draws every curve).
    public func epochsByTrial() throws -> [String: [EpochMetrics]] {
        try pool.read { db in
            Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT * FROM epochs ORDER BY trial_id, epoch").map(EpochMetrics.init(row:)),
                       by: \.trialID)
        }
    }

    /// The highest epoch recorded for a trial, or nil.
    public func lastEpoch(trialID: String) throws -> Int? {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT MAX(epoch) FROM epochs WHERE trial_id = ?", arguments: [trialID])
        }
    }
}
