import Foundation
import GRDB
import TrialSpec

extension SweepStore {
    /// Stores an epoch's metrics as trained by `attempt`. A later (or the same) attempt overwrites
    /// the same epoch; a report from an older attempt than the stored one is ignored (returns false).
    /// SQLite stores NaN as NULL, so a NaN metric reads back as nil.
    @discardableResult
    public func recordEpoch(trialID: String, attempt: Int, _ metrics: EpochMetrics, at now: Date = Date()) throws -> Bool {
        try write { try $0.recordEpoch(trialID: trialID, attempt: attempt, metrics, at: now) }
    }
}

extension StoreTransaction {
    /// `SweepStore.recordEpoch`, inside this transaction.
    @discardableResult
    public func recordEpoch(trialID: String, attempt: Int, _ metrics: EpochMetrics, at now: Date = Date()) throws -> Bool {
        do {
            try requireTrialExists(trialID)
            try db.cachedStatement(
                sql: """
                    INSERT INTO \(SweepStore.epochRow)
                    ON CONFLICT(trial_id, epoch) DO UPDATE SET attempt = excluded.attempt,
                        train_loss = excluded.train_loss, train_accuracy = excluded.train_accuracy,
                        val_loss = excluded.val_loss, val_accuracy = excluded.val_accuracy,
                        val_perplexity = excluded.val_perplexity, seconds = excluded.seconds,
                        tokens_per_second = excluded.tokens_per_second, recorded_at = excluded.recorded_at
                    WHERE excluded.attempt >= epochs.attempt
                    """
            ).execute(arguments: SweepStore.epochArguments(trialID: trialID, attempt: attempt, metrics, now))
            return db.changesCount > 0
        }
    }

    /// Adds the epochs of `history` that have no row yet, as `attempt`'s; rows already there are
    /// kept. A result carries its whole curve, so epochs whose PROGRESS never arrived (sent under a
    /// socket identity the coordinator had already dropped) are not missing from the trial's curve.
    /// Returns how many rows it added.
    @discardableResult
    public func recordMissingEpochs(trialID: String, attempt: Int, history: [EpochMetrics], at now: Date = Date()) throws -> Int {
        try requireTrialExists(trialID)
        var added = 0
        for m in history {
            try db.cachedStatement(
                sql: "INSERT INTO \(SweepStore.epochRow) ON CONFLICT(trial_id, epoch) DO NOTHING"
            ).execute(arguments: SweepStore.epochArguments(trialID: trialID, attempt: attempt, m, now))
            added += db.changesCount
        }
        return added
    }
}

extension SweepStore {

    /// An epochs row's columns and placeholders, for the inserts that bind `epochArguments`.
    static let epochRow = """
        epochs (trial_id, attempt, epoch, train_loss, train_accuracy, val_loss, val_accuracy, val_perplexity, seconds,
                tokens_per_second, recorded_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The bound values of an epochs row, in the column order of `epochRow`.
    static func epochArguments(trialID: String, attempt: Int, _ m: EpochMetrics, _ now: Date) -> StatementArguments {
        [trialID, attempt, m.epoch, m.trainLoss, m.trainAccuracy, m.valLoss, m.valAccuracy, m.valPerplexity,
         m.seconds, m.tokensPerSecond, now.stored]
    }

    /// The epochs of a trial, by epoch.
    public func epochs(trialID: String) throws -> [EpochRow] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM epochs WHERE trial_id = ? ORDER BY epoch", arguments: [trialID])
                .map(EpochRow.init(row:))
        }
    }

    /// Every trial's epochs, by epoch, in one read (the report draws every curve).
    public func epochsByTrial() throws -> [String: [EpochRow]] {
        try pool.read { db in
            Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT * FROM epochs ORDER BY trial_id, epoch").map(EpochRow.init(row:)),
                       by: \.trialID)
        }
    }

    /// How many epochs each trial has recorded, in one read; trials with none are absent.
    public func epochCounts() throws -> [String: Int] {
        try pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT trial_id, COUNT(*) FROM epochs GROUP BY trial_id") {
                if let trialID: String = row[0], let count: Int = row[1] { counts[trialID] = count }
            }
            return counts
        }
    }

    /// The highest epoch recorded for a trial, or nil.
    public func lastEpoch(trialID: String) throws -> Int? {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT MAX(epoch) FROM epochs WHERE trial_id = ?", arguments: [trialID])
        }
    }
}
