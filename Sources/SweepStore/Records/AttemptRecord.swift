import Foundation
import GRDB

/// One execution of a trial by a worker.
public struct AttemptRecord: Sendable, Equatable {
    public var trialID: String
    public var attempt: Int
    public var workerID: String?
    public var host: String?
    public var startedAt: Date
    public var endedAt: Date?
    /// Free text chosen by the caller: "done", "diverged", "config_error", "infra", "worker_fault", "lost", ...
    public var outcome: String?
    public var message: String?
    /// The lease id its ASSIGN carried, and the worker process (HELLO `worker_id`) it went to.
    public var leaseID: String?
    public var workerName: String?

    init(row: Row) {
        trialID = row["trial_id"]
        attempt = row["attempt"]
        workerID = row["worker_id"]
        host = row["host"]
        startedAt = row["started_at"]
        endedAt = row["ended_at"]
        outcome = row["outcome"]
        message = row["message"]
        leaseID = row["lease_id"]
        workerName = row["worker_name"]
    }
}
