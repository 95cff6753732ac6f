import Foundation
import GRDB

extension SweepStore {
    /// Records a worker's HELLO: inserts it, or refreshes host, cores, build and last-seen time
    /// (first-seen time, failure count and quarantine are kept).
    public func upsertWorker(workerID: String, host: String, cores: Int?, build: String?, at now: Date = Date()) throws {
        try write { try $0.upsertWorker(workerID: workerID, host: host, cores: cores, build: build, at: now) }
    }

    @discardableResult
    public func recordInfraFailure(workerID: String) throws -> Int {
        try write { try $0.recordInfraFailure(workerID: workerID) }
    }

    public func setQuarantined(workerID: String, _ quarantined: Bool) throws {
        try write { try $0.setQuarantined(workerID: workerID, quarantined) }
    }
}

extension StoreTransaction {
    /// `SweepStore.upsertWorker`, inside this transaction.
    public func upsertWorker(workerID: String, host: String, cores: Int?, build: String?, at now: Date = Date()) throws {
        do {
            try db.execute(
                sql: """
                    INSERT INTO workers (worker_id, host, cores, build, first_seen, last_seen)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(worker_id) DO UPDATE SET host = excluded.host, cores = excluded.cores,
                        build = excluded.build, last_seen = excluded.last_seen
                    """,
                arguments: [workerID, host, cores, build, now.stored, now.stored])
        }
    }

    /// Counts one more infrastructure failure against a worker; returns the new count.
    @discardableResult
    public func recordInfraFailure(workerID: String) throws -> Int {
        do {
            try db.execute(
                sql: "UPDATE workers SET infra_failures = infra_failures + 1 WHERE worker_id = ?", arguments: [workerID])
            guard db.changesCount > 0 else { throw StoreError.unknownWorker(workerID) }
            return try Int.fetchOne(
                db, sql: "SELECT infra_failures FROM workers WHERE worker_id = ?", arguments: [workerID]) ?? 0
        }
    }

    /// Marks a worker quarantined (no new work) or lifts it.
    public func setQuarantined(workerID: String, _ quarantined: Bool) throws {
        do {
            try db.execute(
                sql: "UPDATE workers SET quarantined = ? WHERE worker_id = ?", arguments: [quarantined, workerID])
            guard db.changesCount > 0 else { throw StoreError.unknownWorker(workerID) }
        }
    }

}

extension SweepStore {
    /// Updates a worker's last-seen time. Returns false for an unknown worker.
    @discardableResult
    public func touchWorker(workerID: String, at now: Date = Date()) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "UPDATE workers SET last_seen = ? WHERE worker_id = ?", arguments: [now.stored, workerID])
            return db.changesCount > 0
        }
    }

    public func worker(id workerID: String) throws -> WorkerRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM workers WHERE worker_id = ?", arguments: [workerID])
                .map(WorkerRecord.init(row:))
        }
    }

    /// Every worker, by first sighting.
    public func allWorkers() throws -> [WorkerRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM workers ORDER BY first_seen, worker_id").map(WorkerRecord.init(row:))
        }
    }
}
