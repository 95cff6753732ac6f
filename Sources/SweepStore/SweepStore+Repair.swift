import Foundation
import GRDB

/// A value in sweep.db a run could not use as it was, and what was done about it.
public struct StoreRepair: Sendable, Equatable, CustomStringConvertible {
    public var trialID: String
    public var action: String
    public init(trialID: String, action: String) {
        self.trialID = trialID
        self.action = action
    }
    public var description: String { "trial \(trialID): \(action)" }
}

extension SweepStore {
    /// Validates everything a run reads back and later does arithmetic with, before any row is
    /// decoded (a value of the wrong SQLite type would otherwise stop the process). Repairable
    /// values are fixed in one transaction and reported; the rest throw `corruptValue` naming the trial.
    /// - Parameters:
    ///   - epochs: each trial's configured epoch count (epoch numbers above it are corrupt). Curve and
    ///     checkpoint rows of trials not listed (not in the current sweep file) are left alone.
    ///   - attemptCeiling: the largest attempt number taken as real.
    ///   - fileExists: whether a checkpoint path (relative to the run folder) names a file.
    public func repairForRun(epochs: [String: Int], attemptCeiling: Int,
                             fileExists: (String) -> Bool) throws -> [StoreRepair] {
        try pool.write { db in
            var repairs: [StoreRepair] = []
            func note(_ trialID: String, _ action: String) { repairs.append(StoreRepair(trialID: trialID, action: action)) }

            // A trial's number and id name it everywhere; a damaged one cannot be guessed back.
            for row in try Row.fetchAll(db, sql: """
                SELECT CAST(trial_id AS TEXT) AS id, CAST(number AS TEXT) AS value FROM trials
                WHERE typeof(trial_id) != 'text' OR typeof(number) != 'integer'
                """) {
                throw StoreError.corruptValue(table: "trials", column: "number", key: row["id"] ?? "?", value: row["value"] ?? "NULL")
            }

            // Attempt rows: attempt numbers outside 1...ceiling are not real attempts.
            for row in try Row.fetchAll(db, sql: """
                SELECT CAST(trial_id AS TEXT) AS trial_id, CAST(attempt AS TEXT) AS value FROM attempts
                WHERE typeof(attempt) != 'integer' OR attempt < 1 OR attempt > ?
                """, arguments: [attemptCeiling]) {
                note(row["trial_id"], "attempt row with attempt number \(row["value"] as String? ?? "NULL") deleted")
            }
            try db.execute(sql: "DELETE FROM attempts WHERE typeof(attempt) != 'integer' OR attempt < 1 OR attempt > ?",
                           arguments: [attemptCeiling])

            // Attempt counts: reset to the highest attempt actually recorded.
            for row in try Row.fetchAll(db, sql: """
                SELECT trial_id, CAST(attempts AS TEXT) AS value FROM trials
                WHERE typeof(attempts) != 'integer' OR attempts < 0 OR attempts > ?
                """, arguments: [attemptCeiling]) {
                let trialID: String = row["trial_id"]
                let recorded = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(attempt), 0) FROM attempts WHERE trial_id = ?",
                                                arguments: [trialID]) ?? 0
                try db.execute(sql: "UPDATE trials SET attempts = ? WHERE trial_id = ?", arguments: [recorded, trialID])
                note(trialID, "attempt count \(row["value"] as String? ?? "NULL") reset to \(recorded), the highest recorded attempt")
            }
            // The retry budget's start: within 0...attempts, else the whole history counts again.
            for row in try Row.fetchAll(db, sql: """
                SELECT trial_id, CAST(retry_from_attempt AS TEXT) AS value FROM trials
                WHERE typeof(retry_from_attempt) != 'integer' OR retry_from_attempt < 0 OR retry_from_attempt > attempts
                """) {
                let trialID: String = row["trial_id"]
                try db.execute(sql: "UPDATE trials SET retry_from_attempt = 0 WHERE trial_id = ?", arguments: [trialID])
                note(trialID, "retry budget start \(row["value"] as String? ?? "NULL") reset to 0")
            }
            try nullNonIntegers(db, table: "trials", column: "parameters", key: "trial_id", note: note)
            try nullNonNumbers(db, table: "trials", column: "estimated_cost", key: "trial_id", note: note)

            // Epochs: numbers outside 1...epochs (or of a corrupt attempt) are deleted; damaged metrics become empty.
            for row in try Row.fetchAll(db, sql: """
                SELECT CAST(trial_id AS TEXT) AS trial_id, CAST(epoch AS TEXT) AS epoch, CAST(attempt AS TEXT) AS attempt,
                       typeof(epoch) AS te,
                       typeof(attempt) AS ta FROM epochs
                """) {
                let trialID: String = row["trial_id"]
                guard let limit = epochs[trialID] else { continue }
                let epoch = (row["te"] as String) == "integer" ? Int(row["epoch"] as String) : nil
                let attempt = (row["ta"] as String) == "integer" ? Int(row["attempt"] as String) : nil
                guard let epoch, (1...max(1, limit)).contains(epoch), let attempt, (1...attemptCeiling).contains(attempt) else {
                    try db.execute(sql: "DELETE FROM epochs WHERE trial_id = ? AND CAST(epoch AS TEXT) = ?",
                                   arguments: [trialID, row["epoch"] as String?])
                    note(trialID, "curve row with epoch \(row["epoch"] as String? ?? "NULL") (attempt \(row["attempt"] as String? ?? "NULL")) deleted")
                    continue
                }
            }
            for column in ["train_loss", "val_loss", "val_accuracy", "val_perplexity", "seconds", "tokens_per_second"] {
                try nullNonNumbers(db, table: "epochs", column: column, key: "trial_id", note: note)
            }

            // Checkpoints: a bad epoch, attempt, size or path, or a missing file, and the row goes
            // (the trial then resumes from an older checkpoint or starts over).
            for row in try Row.fetchAll(db, sql: """
                SELECT id, CAST(trial_id AS TEXT) AS trial_id, CAST(epoch AS TEXT) AS epoch, typeof(epoch) AS te, typeof(attempt) AS ta,
                       CAST(attempt AS TEXT) AS attempt, typeof(bytes) AS tb, typeof(path) AS tp, typeof(sha256) AS ts,
                       CAST(path AS TEXT) AS path FROM checkpoints
                """) {
                let trialID: String = row["trial_id"]
                guard let limit = epochs[trialID] else { continue }
                let epoch = (row["te"] as String) == "integer" ? Int(row["epoch"] as String) : nil
                let attemptOK = (row["ta"] as String) == "null"
                    || ((row["ta"] as String) == "integer" && Int(row["attempt"] as String).map { (1...attemptCeiling).contains($0) } == true)
                let path = row["path"] as String? ?? ""
                var problem: String?
                if epoch.map({ !(0...limit).contains($0) }) ?? true {
                    problem = "epoch \(row["epoch"] as String? ?? "NULL") is outside 0...\(limit)"
                } else if !attemptOK {
                    problem = "attempt \(row["attempt"] as String? ?? "NULL") is not an attempt number"
                } else if (row["tb"] as String) != "integer" || (row["tp"] as String) != "text" || (row["ts"] as String) != "text" {
                    problem = "the row is damaged"
                } else if path.isEmpty || path.contains("..") || path.hasPrefix("/") {
                    problem = "path \(path.debugDescription) is not inside the run folder"
                } else if !fileExists(path) {
                    problem = "file \(path) is missing"
                }
                if let problem {
                    try db.execute(sql: "DELETE FROM checkpoints WHERE id = ?", arguments: [row["id"] as Int64])
                    note(trialID, "checkpoint dropped: \(problem)")
                }
            }
            // Every trial with checkpoints has exactly one latest: the newest that is left.
            try db.execute(sql: """
                UPDATE checkpoints SET is_latest = 1 WHERE id IN (
                    SELECT (SELECT id FROM checkpoints c2 WHERE c2.trial_id = c.trial_id ORDER BY epoch DESC LIMIT 1)
                    FROM checkpoints c GROUP BY c.trial_id HAVING SUM(c.is_latest) = 0)
                """)

            // Results: the attempt that produced it must be a real one (0 only for a trial the
            // budget stopped before it ever ran); metrics of the wrong type become empty.
            for row in try Row.fetchAll(db, sql: """
                SELECT r.trial_id, CAST(r.attempt AS TEXT) AS value, t.attempts AS attempts FROM results r
                JOIN trials t USING (trial_id)
                WHERE typeof(r.attempt) != 'integer' OR r.attempt > ?
                   OR (r.attempt < 1 AND NOT (r.attempt = 0 AND r.status = 'stopped' AND t.attempts = 0))
                """, arguments: [attemptCeiling]) {
                let trialID: String = row["trial_id"]
                let attempts: Int = max(1, row["attempts"])
                try db.execute(sql: "UPDATE results SET attempt = ? WHERE trial_id = ?", arguments: [attempts, trialID])
                note(trialID, "result attempt \(row["value"] as String? ?? "NULL") set to \(attempts)")
            }
            for column in ["epochs_run", "best_epoch", "parameters"] {
                try nullNonIntegers(db, table: "results", column: column, key: "trial_id", note: note)
            }
            for column in ["train_loss", "val_loss", "val_accuracy", "val_perplexity", "overfit_pct", "training_seconds",
                           "inference_seconds_per_1000", "ms_per_char", "size_mb", "macs_per_char", "training_flops",
                           "tokens_per_second"] {
                try nullNonNumbers(db, table: "results", column: column, key: "trial_id", note: note)
            }
            return repairs
        }
    }

    private func nullNonIntegers(_ db: Database, table: String, column: String, key: String,
                                 note: (String, String) -> Void) throws {
        try nullWhere(db, table: table, column: column, key: key,
                      condition: "typeof(\(column)) NOT IN ('integer', 'null')", note: note)
    }

    private func nullNonNumbers(_ db: Database, table: String, column: String, key: String,
                                note: (String, String) -> Void) throws {
        try nullWhere(db, table: table, column: column, key: key,
                      condition: "typeof(\(column)) NOT IN ('integer', 'real', 'null')", note: note)
    }

    private func nullWhere(_ db: Database, table: String, column: String, key: String, condition: String,
                           note: (String, String) -> Void) throws {
        for row in try Row.fetchAll(db, sql: "SELECT CAST(\(key) AS TEXT) AS k, CAST(\(column) AS TEXT) AS v FROM \(table) WHERE \(condition)") {
            note(row["k"], "\(table).\(column) \((row["v"] as String? ?? "").prefix(40).debugDescription) is not a number; emptied")
        }
        try db.execute(sql: "UPDATE \(table) SET \(column) = NULL WHERE \(condition)")
    }
}
