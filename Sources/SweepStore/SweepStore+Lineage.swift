import Foundation
import GRDB
import TrialSpec

extension SweepStore {
    /// Once a result of `attempt` is recorded, the trial keeps that attempt's curve and checkpoints:
    /// curve rows of later attempts and checkpoints of every other attempt are deleted; a non-empty
    /// `history` (a late result's own epochs) replaces the curve. Returns checkpoint files to delete.
    public func keepLineage(trialID: String, attempt: Int, history: [EpochMetrics] = [],
                            at now: Date = Date()) throws -> [String] {
        try pool.write { db in
            _ = try Self.requireTrial(db, trialID)
            if history.isEmpty {
                try db.execute(sql: "DELETE FROM epochs WHERE trial_id = ? AND attempt > ?", arguments: [trialID, attempt])
            } else {
                try db.execute(sql: "DELETE FROM epochs WHERE trial_id = ?", arguments: [trialID])
                for m in history {
                    try db.execute(
                        sql: """
                            INSERT OR REPLACE INTO epochs (trial_id, attempt, epoch, train_loss, train_accuracy, val_loss,
                                                           val_accuracy, val_perplexity, seconds, tokens_per_second, recorded_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: Self.epochArguments(trialID: trialID, attempt: attempt, m, now))
                }
            }
            let doomed = try String.fetchAll(
                db, sql: "SELECT path FROM checkpoints WHERE trial_id = ? AND attempt != ?", arguments: [trialID, attempt])
            try db.execute(sql: "DELETE FROM checkpoints WHERE trial_id = ? AND attempt != ?", arguments: [trialID, attempt])
            // The newest remaining checkpoint becomes the latest one again.
            try db.execute(sql: "UPDATE checkpoints SET is_latest = 0 WHERE trial_id = ?", arguments: [trialID])
            try db.execute(
                sql: """
                    UPDATE checkpoints SET is_latest = 1 WHERE id =
                        (SELECT id FROM checkpoints WHERE trial_id = ? ORDER BY epoch DESC LIMIT 1)
                    """,
                arguments: [trialID])
            var obsolete: [String] = []
            for path in doomed where !obsolete.contains(path) {
                let stillUsed = try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM checkpoints WHERE path = ?)", arguments: [path]) ?? false
                if !stillUsed { obsolete.append(path) }
            }
            return obsolete
        }
    }
}
