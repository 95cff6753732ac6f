import Foundation
import GRDB

/// A worker process the coordinator has seen.
public struct WorkerRecord: Sendable, Equatable {
    public var workerID: String
    public var host: String
    public var cores: Int?
    public var build: String?
    public var firstSeen: Date
    public var lastSeen: Date
    public var infraFailures: Int
    public var quarantined: Bool

    init(row: Row) {
        workerID = row["worker_id"]
        host = row["host"]
        cores = row["cores"]
        build = row["build"]
        firstSeen = row["first_seen"]
        lastSeen = row["last_seen"]
        infraFailures = row["infra_failures"]
        quarantined = row["quarantined"]
    }
}
