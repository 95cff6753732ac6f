import Foundation
import GRDB

extension SweepStore {
    /// Appends a line to the event log; returns its id.
    @discardableResult
    public func appendEvent(kind: String, message: String, trialID: String? = nil, workerID: String? = nil,
                            at now: Date = Date()) throws -> Int64 {
        try write { try $0.appendEvent(kind: kind, message: message, trialID: trialID, workerID: workerID, at: now) }
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

extension StoreTransaction {
    /// `SweepStore.appendEvent`, inside this transaction.
    @discardableResult
    public func appendEvent(kind: String, message: String, trialID: String? = nil, workerID: String? = nil,
                            at now: Date = Date()) throws -> Int64 {
        try db.cachedStatement(sql: "INSERT INTO events (time, kind, trial_id, worker_id, message) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [now.stored, kind, trialID, workerID, message])
        return db.lastInsertedRowID
    }
}
