import Foundation
import GRDB
import TrialSpec

extension SweepStore {
    /// Once a result of `attempt` is recorded, the trial keeps that attempt's curve and checkpoints:
    /// curve rows of later attempts and checkpoints of every other attempt are deleted; a non-empty
    /// `history` (a late result's own epochs) replaces the curve. Returns checkpoint files to delete.
    public func keepLineage(trialID: String, attempt: Int, history: [EpochMetrics] = [],
                            at now: Date = Date()) throws -> [String] {
        try write { try $0.keepLineage(trialID: trialID, attempt: attempt, history: history, at: now) }
    }
}

extension StoreTransaction {
    /// `SweepStore.keepLineage`, inside this transaction.
    public func keepLineage(trialID: String, attempt: Int, history: [EpochMetrics] = [],
                            at now: Date = Date()) throws -> [String] {
        do {
            try requireTrialExists(trialID)
            if history.isEmpty {
                try db.cachedStatement(sql: "DELETE FROM epochs WHERE trial_id = ? AND attempt > ?").execute(arguments: [trialID, attempt])
            } else {
                try db.cachedStatement(sql: "DELETE FROM epochs WHERE trial_id = ?").execute(arguments: [trialID])
                for m in history {
                    try db.cachedStatement(sql: "INSERT OR REPLACE INTO \(SweepStore.epochRow)").execute(
                        arguments: SweepStore.epochArguments(trialID: trialID, attempt: attempt, m, now))
                }
            }
            let doomed = try String.fetchAll(
                db.cachedStatement(sql: "DELETE FROM checkpoints WHERE trial_id = ? AND attempt != ? RETURNING path"),
                arguments: [trialID, attempt])
            // The newest remaining checkpoint becomes the latest one again.
            try db.cachedStatement(sql: "UPDATE checkpoints SET is_latest = 0 WHERE trial_id = ?").execute(arguments: [trialID])
            try db.cachedStatement(
                sql: """
                    UPDATE checkpoints SET is_latest = 1 WHERE id =
                        (SELECT id FROM checkpoints WHERE trial_id = ? ORDER BY epoch DESC LIMIT 1)
                    """).execute(
                arguments: [trialID])
            var obsolete: [String] = []
            for path in doomed where !obsolete.contains(path) {
                let stillUsed = try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM checkpoints WHERE path = ?)"), arguments: [path]) ?? false
                if !stillUsed { obsolete.append(path) }
            }
            return obsolete
        }
    }
}
