import Foundation
import GRDB

extension SweepStore {
    /// Appends a line to the event log; returns its id. Committed without waiting for the disk
    /// (`synchronous = NORMAL` for this transaction only): the log is a record for people with
    /// several lines per trial, and a sync each would cost more than the trial's state writes. A
    /// killed coordinator loses no line (the kernel has it); a power cut can lose the lines after
    /// the last state write, whose FULL sync of the WAL also makes every earlier line durable.
    @discardableResult
    public func appendEvent(kind: String, message: String, trialID: String? = nil, workerID: String? = nil,
                            at now: Date = Date()) throws -> Int64 {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            var id: Int64 = 0
            do {
                try db.inTransaction {
                    try db.execute(
                        sql: "INSERT INTO events (time, kind, trial_id, worker_id, message) VALUES (?, ?, ?, ?, ?)",
                        arguments: [now, kind, trialID, workerID, message])
                    id = db.lastInsertedRowID
                    return .commit
                }
            } catch {
                try? db.execute(sql: "PRAGMA synchronous = FULL")
                throw error
            }
            // Every other write keeps waiting for the disk (a result is acknowledged after it).
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return id
        }
    }

    /// The last `limit` events, oldest first.
    public func tailEvents(limit: Int) throws -> [EventRecord] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM (SELECT * FROM events ORDER BY id DESC LIMIT ?) ORDER BY id",
                arguments: [max(0, limit)]
            ).map(EventRecord.init(row:))
        }
    }

    /// Events with an id greater than `afterID`, oldest first (for following the log).
    public func events(afterID: Int64, limit: Int = 1000) throws -> [EventRecord] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", arguments: [afterID, max(0, limit)]
            ).map(EventRecord.init(row:))
        }
    }
}
