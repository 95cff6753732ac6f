import Foundation
import GRDB

extension SweepStore {
    /// Writes running trials' latest batch progress and workers' latest signs of life in one
    /// transaction: the coordinator calls it at most once a second with what arrived since.
    /// Progress of a trial that is not running under that attempt any more is not written.
    public func recordLiveness(progress: [TrialProgress], workersSeen: [String: Date]) throws {
        guard !progress.isEmpty || !workersSeen.isEmpty else { return }
        try write { try $0.recordLiveness(progress: progress, workersSeen: workersSeen) }
    }
}

extension StoreTransaction {
    /// `SweepStore.recordLiveness`, inside this transaction.
    public func recordLiveness(progress: [TrialProgress], workersSeen: [String: Date]) throws {
        do {
            for p in progress where p.isValid {
                try db.execute(
                    sql: """
                        INSERT INTO trial_progress (trial_id, attempt, worker_id, epoch, batch, batches, tokens,
                                                    tokens_per_second, updated_at, threads)
                        SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM trials
                        WHERE trial_id = ? AND status = 'running' AND attempts = ?
                        ON CONFLICT(trial_id) DO UPDATE SET attempt = excluded.attempt, worker_id = excluded.worker_id,
                            epoch = excluded.epoch, batch = excluded.batch, batches = excluded.batches,
                            tokens = excluded.tokens, tokens_per_second = excluded.tokens_per_second,
                            updated_at = excluded.updated_at, threads = excluded.threads
                        """,
                    arguments: [p.trialID, p.attempt, p.workerID, p.epoch, p.batch, p.batches, p.tokens, p.tokensPerSecond,
                                p.updatedAt.stored, p.threads, p.trialID, p.attempt])
            }
            for (worker, seen) in workersSeen {
                try db.execute(sql: "UPDATE workers SET last_seen = MAX(last_seen, ?) WHERE worker_id = ?", arguments: [seen.stored, worker])
            }
        }
    }

}

extension SweepStore {
    /// The batch progress of each running trial's current attempt (rows of ended attempts, and
    /// rows that fail validation, are left out).
    public func runningProgress() throws -> [TrialProgress] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT p.* FROM trial_progress p JOIN trials t ON t.trial_id = p.trial_id
                WHERE t.status = 'running' AND p.attempt = t.attempts ORDER BY t.number, t.trial_id
                """).compactMap(TrialProgress.init(row:))
        }
    }
}

/// The numbers of a recorded result that progress views rank and measure speed by.
public struct ResultSummary: Sendable, Equatable {
    public var trialID: String
    public var status: TrialStatus
    public var epochsRun: Int?
    public var valLoss: Double?
    public var valAccuracy: Double?
    public var parameters: Int?
    public var trainingSeconds: Double?
    public var trainingFLOPs: Double?
    public var workerID: String?
    /// Wall seconds from the start of the attempt that produced it to its recording (setup,
    /// training, sampling and delivery), when known.
    public var wallSeconds: Double?

    /// Unreadable or non-finite values (a damaged row) read as absent; negative ones too.
    init?(row: Row) {
        func number(_ column: String) -> Double? {
            Double.fromDatabaseValue(row[column] as DatabaseValue).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        }
        func count(_ column: String) -> Int? {
            Int.fromDatabaseValue(row[column] as DatabaseValue).flatMap { $0 >= 0 ? $0 : nil }
        }
        guard let trialID = String.fromDatabaseValue(row["trial_id"] as DatabaseValue),
              let raw = String.fromDatabaseValue(row["status"] as DatabaseValue),
              let status = TrialStatus(rawValue: raw) else { return nil }
        self.trialID = trialID
        self.status = status
        epochsRun = count("epochs_run")
        valLoss = number("val_loss")
        valAccuracy = number("val_accuracy")
        parameters = count("parameters")
        trainingSeconds = number("training_seconds")
        trainingFLOPs = number("training_flops")
        workerID = String.fromDatabaseValue(row["worker_id"] as DatabaseValue)
        if let started = Date.fromDatabaseValue(row["started_at"] as DatabaseValue),
           let recorded = Date.fromDatabaseValue(row["recorded_at"] as DatabaseValue) {
            let seconds = recorded.timeIntervalSince(started)
            wallSeconds = seconds.isFinite && seconds >= 0 ? seconds : nil
        }
    }
}

extension SweepStore {
    /// Every recorded result's ranking and speed numbers, in trial order.
    public func resultSummaries() throws -> [ResultSummary] {
        try pool.read { db in
            try Row.fetchAll(db, sql: Self.resultSummarySQL + " ORDER BY t.number, t.trial_id").compactMap(ResultSummary.init(row:))
        }
    }

    /// One trial's result summary (nil: no result, or a row that fails validation): what the
    /// live view adds to its speeds when a result comes in, instead of reading them all again.
    public func resultSummary(trialID: String) throws -> ResultSummary? {
        try pool.read { db in
            try Row.fetchOne(db, sql: Self.resultSummarySQL + " WHERE r.trial_id = ?", arguments: [trialID])
                .flatMap(ResultSummary.init(row:))
        }
    }

    private static let resultSummarySQL = """
        SELECT r.trial_id, r.status, r.epochs_run, r.val_loss, r.val_accuracy,
               COALESCE(r.parameters, t.parameters) AS parameters, r.training_seconds, r.training_flops, r.worker_id,
               r.recorded_at, a.started_at
        FROM results r JOIN trials t ON t.trial_id = r.trial_id
        LEFT JOIN attempts a ON a.trial_id = r.trial_id AND a.attempt = r.attempt
        """
}
