import Foundation
import GRDB

/// One line of the sweep's event log.
public struct EventRecord: Sendable, Equatable {
    /// Increasing; use it to follow the log (`events(afterID:)`).
    public var id: Int64
    public var time: Date
    /// Short machine-readable kind, e.g. "assign", "requeue", "result", "worker-quarantined".
    public var kind: String
    public var trialID: String?
    public var workerID: String?
    public var message: String

    init(row: Row) {
        id = row["id"]
        time = row["time"]
        kind = row["kind"]
        trialID = row["trial_id"]
        workerID = row["worker_id"]
        message = row["message"]
    }
}
