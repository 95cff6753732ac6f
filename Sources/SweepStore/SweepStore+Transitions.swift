import Foundation
import GRDB

extension SweepStore {
    /// Hands a queued trial to a worker: status running, attempts + 1, worker and lease set,
    /// and the attempt's row started, in one transaction. Returns the new attempt number.
    /// Throws `invalidTransition` unless the trial is queued.
    @discardableResult
    public func markRunning(trialID: String, workerID: String, host: String?, workerName: String? = nil,
                            leaseID: String? = nil, leaseExpiresAt: Date, at now: Date = Date()) throws -> Int {
        try write { try $0.markRunning(trialID: trialID, workerID: workerID, host: host, workerName: workerName, leaseID: leaseID,
                                       leaseExpiresAt: leaseExpiresAt, at: now) }
    }

    public func adoptRunning(trialID: String, attempt: Int, workerID: String, host: String?, leaseID: String? = nil,
                             leaseExpiresAt: Date, at now: Date = Date()) throws -> Bool {
        try write { try $0.adoptRunning(trialID: trialID, attempt: attempt, workerID: workerID, host: host, leaseID: leaseID,
                                        leaseExpiresAt: leaseExpiresAt, at: now) }
    }

    @discardableResult
    public func renewLease(trialID: String, workerID: String, until leaseExpiresAt: Date) throws -> Bool {
        try write { try $0.renewLease(trialID: trialID, workerID: workerID, until: leaseExpiresAt) }
    }

    @discardableResult
    public func requeue(trialID: String, at now: Date = Date()) throws -> Bool {
        try write { try $0.requeue(trialID: trialID, at: now) }
    }

    @discardableResult
    public func markFinished(trialID: String, status: TrialStatus, at now: Date = Date()) throws -> Bool {
        try write { try $0.markFinished(trialID: trialID, status: status, at: now) }
    }

    @discardableResult
    public func endAttempt(trialID: String, attempt: Int, outcome: String, message: String? = nil,
                           at now: Date = Date()) throws -> Bool {
        try write { try $0.endAttempt(trialID: trialID, attempt: attempt, outcome: outcome, message: message, at: now) }
    }
}

extension StoreTransaction {
    /// `SweepStore.markRunning`, inside this transaction.
    @discardableResult
    public func markRunning(trialID: String, workerID: String, host: String?, workerName: String? = nil,
                            leaseID: String? = nil, leaseExpiresAt: Date, at now: Date = Date()) throws -> Int {
        do {
            // One statement on the way every trial takes; the checks that explain a refusal run
            // only when it changed nothing. Attempts stay within the protocol's 32-bit range.
            let started = try Int.fetchOne(
                db.cachedStatement(sql: """
                    UPDATE trials SET status = 'running', attempts = attempts + 1, worker_id = ?, lease_expires_at = ?,
                        updated_at = ? WHERE trial_id = ? AND status = 'queued' AND attempts BETWEEN 0 AND 2147483646
                    RETURNING attempts
                    """),
                arguments: [workerID, leaseExpiresAt.stored, now.stored, trialID])
            guard let attempt = started else {
                let trial = try trialState(trialID)
                guard trial.status == .queued else {
                    throw StoreError.invalidTransition(trialID: trialID, from: trial.status, to: .running)
                }
                throw StoreError.corruptValue(table: "trials", column: "attempts", key: trialID, value: "\(trial.attempts)")
            }
            knownTrials.ids.insert(trialID)
            try SweepStore.insertAttempt(db, trialID: trialID, attempt: attempt, workerID: workerID, host: host,
                                         workerName: workerName, leaseID: leaseID, at: now)
            return attempt
        }
    }

    /// Re-adopts a trial a worker reports it is running (after a coordinator restart, or a
    /// worker reconnecting after its trial was requeued). Returns false, changing nothing, when the
    /// trial is already finished (the worker should be told to stop). Otherwise the trial becomes
    /// running on that worker with that attempt (attempts never decrease) and the attempt row exists.
    public func adoptRunning(trialID: String, attempt: Int, workerID: String, host: String?, leaseID: String? = nil,
                             leaseExpiresAt: Date, at now: Date = Date()) throws -> Bool {
        do {
            let trial = try trialState(trialID)
            if trial.status.isFinished { return false }
            try db.cachedStatement(
                sql: """
                    UPDATE trials SET status = 'running', attempts = MAX(attempts, ?), worker_id = ?,
                        lease_expires_at = ?, updated_at = ? WHERE trial_id = ?
                    """).execute(
                arguments: [attempt, workerID, leaseExpiresAt.stored, now.stored, trialID])
            let exists = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM attempts WHERE trial_id = ? AND attempt = ?)"),
                arguments: [trialID, attempt]) ?? false
            if !exists {
                try SweepStore.insertAttempt(db, trialID: trialID, attempt: attempt, workerID: workerID, host: host,
                                             workerName: nil, leaseID: leaseID, at: now)
            } else {
                // The lease moved to the worker's new socket identity; its id and the run go on.
                try db.cachedStatement(sql: "UPDATE attempts SET worker_id = ?, ended_at = NULL, outcome = NULL WHERE trial_id = ? AND attempt = ?").execute(
                               arguments: [workerID, trialID, attempt])
            }
            return true
        }
    }

    /// Extends the lease of a trial running on `workerID`. Returns false if the trial is not
    /// running on that worker (it was requeued or finished meanwhile).
    @discardableResult
    public func renewLease(trialID: String, workerID: String, until leaseExpiresAt: Date) throws -> Bool {
        do {
            try db.cachedStatement(
                sql: """
                    UPDATE trials SET lease_expires_at = ?
                    WHERE trial_id = ? AND status = 'running' AND worker_id = ?
                    """).execute(
                arguments: [leaseExpiresAt.stored, trialID, workerID])
            return db.changesCount > 0
        }
    }

    /// Puts a running trial back in the queue, keeping its attempt count (its next run resumes
    /// from the latest checkpoint). Returns false, changing nothing, if the trial is not running.
    @discardableResult
    public func requeue(trialID: String, at now: Date = Date()) throws -> Bool {
        do {
            try requireTrialExists(trialID)
            try db.cachedStatement(
                sql: """
                    UPDATE trials SET status = 'queued', worker_id = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE trial_id = ? AND status = 'running'
                    """).execute(
                arguments: [now.stored, trialID])
            return db.changesCount > 0
        }
    }

    /// Gives a trial a finished status without a result (e.g. `failed` once its infra attempts
    /// are exhausted). Returns false, changing nothing, when the trial already has a result.
    @discardableResult
    public func markFinished(trialID: String, status: TrialStatus, at now: Date = Date()) throws -> Bool {
        do {
            let trial = try trialState(trialID)
            guard status.isFinished else {
                throw StoreError.invalidTransition(trialID: trialID, from: trial.status, to: status)
            }
            let hasResult = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM results WHERE trial_id = ?)"), arguments: [trialID]) ?? false
            if hasResult { return false }
            try db.cachedStatement(
                sql: """
                    UPDATE trials SET status = ?, worker_id = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE trial_id = ?
                    """).execute(
                arguments: [status.rawValue, now.stored, trialID])
            return true
        }
    }

    /// Closes an attempt with its outcome (free text: "done", "diverged", "infra", "lost", ...).
    /// Returns false if no such attempt exists. An attempt already closed is closed again
    /// with the new outcome.
    @discardableResult
    public func endAttempt(trialID: String, attempt: Int, outcome: String, message: String? = nil,
                           at now: Date = Date()) throws -> Bool {
        do {
            try db.cachedStatement(
                sql: "UPDATE attempts SET ended_at = ?, outcome = ?, message = ? WHERE trial_id = ? AND attempt = ?").execute(
                arguments: [now.stored, outcome, message, trialID, attempt])
            return db.changesCount > 0
        }
    }

}

extension SweepStore {
    /// The attempts of a trial, oldest first.
    public func attempts(trialID: String) throws -> [AttemptRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attempts WHERE trial_id = ? ORDER BY attempt", arguments: [trialID])
                .map(AttemptRecord.init(row:))
        }
    }

    /// Every trial's attempts, oldest first, in one read (a run's setup restores them all).
    public func attemptsByTrial() throws -> [String: [AttemptRecord]] {
        try pool.read { db in
            Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT * FROM attempts ORDER BY trial_id, attempt")
                .map(AttemptRecord.init(row:)), by: \.trialID)
        }
    }

    static func insertAttempt(_ db: Database, trialID: String, attempt: Int, workerID: String,
                              host: String?, workerName: String?, leaseID: String?, at now: Date) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO attempts (trial_id, attempt, worker_id, host, worker_name, lease_id, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(trial_id, attempt) DO UPDATE SET worker_id = excluded.worker_id,
                    host = excluded.host, worker_name = excluded.worker_name, lease_id = excluded.lease_id,
                    started_at = excluded.started_at, ended_at = NULL, outcome = NULL, message = NULL
                """).execute(
            arguments: [trialID, attempt, workerID, host, workerName, leaseID, now.stored])
    }
}

extension SweepStore {
    /// `run --retry-failed`: `failed` trials (and `config_error` ones if `configErrors`) are queued
    /// again with a fresh attempt budget; a config error's result row goes, since the trial is
    /// trained anew. Other trials are untouched. Returns the requeued trial ids, by number.
    @discardableResult
    public func retryFinished(configErrors: Bool, at now: Date = Date()) throws -> [String] {
        let names = [TrialStatus.failed.rawValue] + (configErrors ? [TrialStatus.configError.rawValue] : [])
        return try pool.write { db in
            let marks = Array(repeating: "?", count: names.count).joined(separator: ",")
            let ids = try String.fetchAll(
                db, sql: "SELECT trial_id FROM trials WHERE status IN (\(marks)) ORDER BY number",
                arguments: StatementArguments(names))
            for id in ids {
                try db.execute(sql: "DELETE FROM results WHERE trial_id = ?", arguments: [id])
                try db.execute(
                    sql: """
                        UPDATE trials SET status = 'queued', worker_id = NULL, lease_expires_at = NULL,
                            retry_from_attempt = attempts, updated_at = ? WHERE trial_id = ?
                        """,
                    arguments: [now.stored, id])
            }
            return ids
        }
    }
}
