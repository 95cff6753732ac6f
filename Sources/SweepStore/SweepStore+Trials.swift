import Foundation
import GRDB

extension SweepStore {
    /// Stores trials that are not stored yet. Idempotent: a trial id already present keeps its
    /// status, attempts, config and number. Returns how many trials were new.
    @discardableResult
    public func insertTrials(_ trials: [NewTrial], at now: Date = Date()) throws -> Int {
        try pool.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO trials (trial_id, number, config_json, grid_json, status, attempts,
                                    estimated_cost, parameters, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?)
                ON CONFLICT(trial_id) DO NOTHING
                """)
            var inserted = 0
            for trial in trials {
                try statement.execute(arguments: [
                    trial.trialID, trial.number, trial.configJSON, GridCoding.encode(trial.grid),
                    trial.estimatedCost, trial.parameters, now.stored, now.stored,
                ])
                inserted += db.changesCount
            }
            return inserted
        }
    }

    /// Gives every trial its position in the sweep's current expansion (`order`, trial ids, the
    /// first numbered 1); trials the file no longer has follow, in their old order. After
    /// `--extend` the expansion's order can change (a new value of an outer grid key, more
    /// samples), and a kept trial must not keep a number a new one now has.
    public func renumberTrials(order: [String]) throws {
        try pool.write { db in
            let stored = try String.fetchAll(db, sql: "SELECT trial_id FROM trials ORDER BY number, trial_id")
            let current = Set(order)
            let numbered = order + stored.filter { !current.contains($0) }
            let statement = try db.cachedStatement(sql: "UPDATE trials SET number = ? WHERE trial_id = ? AND number != ?")
            for (index, trialID) in numbered.enumerated() {
                try statement.execute(arguments: [index + 1, trialID, index + 1])
            }
        }
    }

    /// The trial with that id, or nil.
    public func trial(id trialID: String) throws -> TrialRecord? {
        try pool.read { db in try Self.fetchTrial(db, trialID) }
    }

    /// Every trial, by number.
    public func allTrials() throws -> [TrialRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM trials ORDER BY number, trial_id").map(TrialRecord.init(row:))
        }
    }

    /// Up to `limit` queued trials in the given order.
    public func nextQueuedTrials(limit: Int, order: QueueOrder = .number) throws -> [TrialRecord] {
        let orderBy = switch order {
        case .number: "number, trial_id"
        case .costDescending: "estimated_cost IS NULL, estimated_cost DESC, number, trial_id"
        case .costAscending: "estimated_cost IS NULL, estimated_cost ASC, number, trial_id"
        }
        return try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM trials WHERE status = 'queued' ORDER BY \(orderBy) LIMIT ?",
                arguments: [max(0, limit)]
            ).map(TrialRecord.init(row:))
        }
    }

    /// Trials currently running, by number.
    public func runningTrials() throws -> [TrialRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM trials WHERE status = 'running' ORDER BY number, trial_id")
                .map(TrialRecord.init(row:))
        }
    }

    /// Running trials whose lease ended before `now`.
    public func expiredLeases(at now: Date = Date()) throws -> [TrialRecord] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT * FROM trials WHERE status = 'running'
                    AND (lease_expires_at IS NULL OR lease_expires_at < ?) ORDER BY number, trial_id
                    """,
                arguments: [now.stored]
            ).map(TrialRecord.init(row:))
        }
    }

    /// Number of trials in every status (statuses without trials count 0).
    public func statusCounts() throws -> [TrialStatus: Int] {
        try pool.read { db in try Self.fetchStatusCounts(db) }
    }

    static func fetchTrial(_ db: Database, _ trialID: String) throws -> TrialRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM trials WHERE trial_id = ?", arguments: [trialID])
            .map(TrialRecord.init(row:))
    }

    static func requireTrial(_ db: Database, _ trialID: String) throws -> TrialRecord {
        guard let trial = try fetchTrial(db, trialID) else { throw StoreError.unknownTrial(trialID) }
        return trial
    }

    static func fetchStatusCounts(_ db: Database) throws -> [TrialStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: TrialStatus.allCases.map { ($0, 0) })
        for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM trials GROUP BY status") {
            let raw: String = row["status"]
            guard let status = TrialStatus(rawValue: raw) else {
                throw StoreError.corruptValue(table: "trials", column: "status", key: "*", value: raw)
            }
            counts[status] = row["n"]
        }
        return counts
    }
}
