import Foundation
import GRDB
import Synchronization
// Trial statuses and results are TrialSpec's; the store's clients use them as its own.
@_exported import TrialSpec

/// The sweep's durable state: one SQLite file (`runs/<name>/sweep.db`) in WAL mode.
///
/// Every method is synchronous and thread-safe: writes are serialized by GRDB's pool and
/// each public mutation is one transaction, so a crash leaves either all or none of it.
/// Callers pass plain values (JSON strings, ordered string pairs): the store imports none of the
/// sweep-file model, the protocol or the trainer, only SystemSupport to write its exports.
public final class SweepStore: Sendable {
    /// Path of the database file.
    public let path: String
    let pool: DatabasePool
    let committed = Atomic<Int>(0)
    /// Transactions committed through `write` since this store was opened: the coordinator's state
    /// writes, each of which rewrites every page it touches (its cost per trial is measured by it).
    public var commits: Int { committed.load(ordering: .relaxed) }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// The parent folder is created if missing. `busyTimeout`: how long a write waits for another
    /// process's lock before it fails (a coordinator keeps it short: it retries on its own and its
    /// single thread must keep answering heartbeats).
    public init(path: String, busyTimeout: Double = 10) throws {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        // Another process (`coordinator status`) may read while the coordinator writes.
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "SweepStore"
        // GRDB sets WAL's usual synchronous NORMAL on the pool's single writer: a commit survives
        // a crash of the process without an fsync. What must survive power loss as well (a result,
        // acknowledged only after its commit) is written with `durableWrite`.
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrate(pool)
    }

    /// One transaction that is on disk when this returns, even through power loss: it commits
    /// with synchronous FULL, whose fsync of the WAL also makes every earlier commit durable.
    /// So the coordinator pays one fsync per result, not one per write (assignments, epochs,
    /// checkpoint rows and events ride along with the next result).
    func durableWrite<T>(_ updates: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            // Prepared once per connection: this runs for every result.
            try db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute()
            defer { try? db.cachedStatement(sql: "PRAGMA synchronous = NORMAL").execute() }
            var value: [T] = []
            try db.inTransaction(.immediate) {
                value.append(try updates(db))
                return .commit
            }
            guard let committed = value.first else { throw DatabaseError(resultCode: .SQLITE_MISUSE) }
            return committed
        }
    }

    /// Brings the schema up to date. Two processes opening a brand-new file at once (`coordinator
    /// status` while `run` creates it) may both start the first migration; the loser's transaction
    /// fails, and on retry it finds the winner's migration applied.
    private static func migrate(_ pool: DatabasePool) throws {
        var attempt = 0
        while true {
            do { return try StoreSchema.migrator.migrate(pool) } catch {
                attempt += 1
                if attempt >= 5 { throw error }
                Thread.sleep(forTimeInterval: 0.1 * Double(attempt))
            }
        }
    }

    /// SQLite's journal mode, e.g. "wal".
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// SQLite's `synchronous` level of the writer between durable writes (1 = NORMAL, 2 = FULL).
    public func synchronousLevel() throws -> Int {
        try pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Identifiers of the migrations applied to this file, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try StoreSchema.migrator.appliedIdentifiers(db).sorted() }
    }

    /// Deletes a database file and its WAL/shared-memory companions (for `--fresh`).
    /// Close every store on the file first.
    public static func removeDatabase(at path: String) throws {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.removeItem(atPath: path + suffix)
        }
    }
}
