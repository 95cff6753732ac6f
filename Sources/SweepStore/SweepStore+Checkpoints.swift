import Foundation
import GRDB

extension SweepStore {
    /// Records a checkpoint as the trial's latest (and best, if `isBest`). Per trial exactly one
    /// checkpoint is latest and at most one is best; rows of the same attempt that are neither are
    /// dropped and their files returned for deletion (other attempts keep theirs until a result
    /// decides which attempt the trial keeps, see `keepLineage`). Recording an epoch again replaces its row.
    @discardableResult
    public func recordCheckpoint(trialID: String, attempt: Int? = nil, epoch: Int, path: String, sha256: String,
                                 bytes: Int, isBest: Bool, at now: Date = Date()) throws -> CheckpointUpdate {
        try write { try $0.recordCheckpoint(trialID: trialID, attempt: attempt, epoch: epoch, path: path, sha256: sha256,
                                            bytes: bytes, isBest: isBest, at: now) }
    }
}

extension StoreTransaction {
    /// `SweepStore.recordCheckpoint`, inside this transaction.
    @discardableResult
    public func recordCheckpoint(trialID: String, attempt: Int? = nil, epoch: Int, path: String, sha256: String,
                                 bytes: Int, isBest: Bool, at now: Date = Date()) throws -> CheckpointUpdate {
        do {
            try requireTrialExists(trialID)
            // Each DELETE returns the files its rows named: one statement, not a SELECT and a DELETE.
            var candidates = try String.fetchAll(
                db.cachedStatement(sql: "DELETE FROM checkpoints WHERE trial_id = ? AND epoch = ? RETURNING path"),
                arguments: [trialID, epoch])

            try db.cachedStatement(sql: "UPDATE checkpoints SET is_latest = 0 WHERE trial_id = ?").execute(arguments: [trialID])
            if isBest {
                try db.cachedStatement(sql: "UPDATE checkpoints SET is_best = 0 WHERE trial_id = ?").execute(arguments: [trialID])
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO checkpoints (trial_id, attempt, epoch, path, sha256, bytes, is_best, is_latest, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
                    """).execute(
                arguments: [trialID, attempt, epoch, path, sha256, bytes, isBest, now.stored])

            candidates += try String.fetchAll(
                db.cachedStatement(
                    sql: "DELETE FROM checkpoints WHERE trial_id = ? AND attempt IS ? AND NOT is_latest AND NOT is_best RETURNING path"),
                arguments: [trialID, attempt])

            // A file still named by a remaining row must not be deleted.
            var obsolete: [String] = []
            for candidate in candidates where !obsolete.contains(candidate) {
                let stillUsed = try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM checkpoints WHERE path = ?)"), arguments: [candidate]) ?? false
                if !stillUsed { obsolete.append(candidate) }
            }
            return CheckpointUpdate(obsoletePaths: obsolete)
        }
    }
}

extension SweepStore {

    /// The checkpoint to resume the trial from, or nil.
    public func latestCheckpoint(trialID: String) throws -> CheckpointRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM checkpoints WHERE trial_id = ? AND is_latest", arguments: [trialID])
                .map(CheckpointRecord.init(row:))
        }
    }

    /// Every trial's checkpoint to resume from, in one read (a run's setup restores them all).
    public func latestCheckpointsByTrial() throws -> [String: CheckpointRecord] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM checkpoints WHERE is_latest").map(CheckpointRecord.init(row:))
            // At most one latest row per trial is kept; should a damaged file hold two, the later epoch wins.
            return Dictionary(rows.map { ($0.trialID, $0) }, uniquingKeysWith: { $0.epoch >= $1.epoch ? $0 : $1 })
        }
    }

    /// The checkpoint with the lowest validation loss, as reported by the caller, or nil.
    public func bestCheckpoint(trialID: String) throws -> CheckpointRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM checkpoints WHERE trial_id = ? AND is_best", arguments: [trialID])
                .map(CheckpointRecord.init(row:))
        }
    }

    /// Every checkpoint row of a trial, by epoch.
    public func checkpoints(trialID: String) throws -> [CheckpointRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM checkpoints WHERE trial_id = ? ORDER BY epoch", arguments: [trialID])
                .map(CheckpointRecord.init(row:))
        }
    }
}
