import Foundation
import GRDB

extension SweepStore {
    /// A consistent snapshot of the sweep's progress.
    public func statusSummary() throws -> StatusSummary {
        try pool.read { db in
            let counts = try Self.fetchStatusCounts(db)
            let running = try Row.fetchAll(db, sql: """
                SELECT t.number, t.trial_id, t.worker_id, t.attempts, t.lease_expires_at, t.estimated_cost,
                       t.config_json, a.started_at, COALESCE(a.host, w.host) AS host,
                       (SELECT MAX(e.epoch) FROM epochs e WHERE e.trial_id = t.trial_id) AS last_epoch
                FROM trials t
                LEFT JOIN attempts a ON a.trial_id = t.trial_id AND a.attempt = t.attempts
                LEFT JOIN workers w ON w.worker_id = t.worker_id
                WHERE t.status = 'running' ORDER BY t.number, t.trial_id
                """).map { row in
                StatusSummary.RunningTrial(
                    number: row["number"], trialID: row["trial_id"], workerID: row["worker_id"], host: row["host"],
                    attempt: row["attempts"], lastEpoch: row["last_epoch"],
                    plannedEpochs: ConfigColumns(json: row["config_json"]).integer("epochs"),
                    startedAt: row["started_at"], leaseExpiresAt: row["lease_expires_at"],
                    estimatedCost: row["estimated_cost"])
            }
            let finished = try Row.fetchAll(db, sql: """
                SELECT r.trial_id, r.status, r.training_seconds, t.estimated_cost, a.started_at, r.recorded_at
                FROM results r JOIN trials t ON t.trial_id = r.trial_id
                LEFT JOIN attempts a ON a.trial_id = r.trial_id AND a.attempt = r.attempt
                ORDER BY t.number, t.trial_id
                """).map { row in
                let started: Date? = row["started_at"]
                let recorded: Date = row["recorded_at"]
                let rawStatus: String = row["status"]
                return StatusSummary.FinishedTrial(
                    trialID: row["trial_id"], status: TrialStatus(rawValue: rawStatus) ?? .done,
                    estimatedCost: row["estimated_cost"], trainingSeconds: row["training_seconds"],
                    wallSeconds: started.map { recorded.timeIntervalSince($0) })
            }
            let remaining = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(estimated_cost), 0) AS cost,
                       COALESCE(SUM(estimated_cost IS NULL), 0) AS unknown
                FROM trials WHERE status IN ('queued', 'running')
                """)
            return StatusSummary(
                counts: counts, total: counts.values.reduce(0, +), running: running, finished: finished,
                remainingEstimatedCost: remaining?["cost"] ?? 0, remainingWithoutEstimate: remaining?["unknown"] ?? 0)
        }
    }
}
