import Foundation
import GRDB

extension SweepStore {
    /// Records the sweep on first use; afterwards compares the stored spec hash with `specHash`.
    public func openSweep(name: String, specHash: String, specJSON: String, at now: Date = Date()) throws -> SweepOpening {
        try pool.write { db in
            if let stored = try String.fetchOne(db, sql: "SELECT spec_hash FROM sweeps WHERE name = ?", arguments: [name]) {
                return stored == specHash ? .unchanged : .changed(storedHash: stored)
            }
            try db.execute(
                sql: "INSERT INTO sweeps (name, spec_hash, spec_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, specHash, specJSON, now.stored, now.stored])
            return .created
        }
    }

    /// Stores a new spec for an existing sweep (`--extend`); trials already stored are kept.
    public func replaceSpec(name: String, specHash: String, specJSON: String, at now: Date = Date()) throws {
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO sweeps (name, spec_hash, spec_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET spec_hash = excluded.spec_hash,
                        spec_json = excluded.spec_json, updated_at = excluded.updated_at
                    """,
                arguments: [name, specHash, specJSON, now.stored, now.stored])
        }
    }

    /// The stored sweep of that name, if any.
    public func sweep(named name: String) throws -> SweepRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sweeps WHERE name = ?", arguments: [name]).map(SweepRecord.init(row:))
        }
    }
}
