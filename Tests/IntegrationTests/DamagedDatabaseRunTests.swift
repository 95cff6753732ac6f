import Foundation
import SweepTestSupport
import GRDB
import SweepStore
import Testing

/// `coordinator run` on a run folder whose sweep.db holds values no run could have written: it
/// repairs what it can and finishes, or exits 2 naming the trial; it never traps.
@Suite(.serialized)
struct DamagedDatabaseRunTests {
    @Test func anAbsurdAttemptCountIsRepairedAndADamagedTrialNumberStopsTheRunNamingIt() throws {
        let folder = try temporaryFolder("damaged")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = Repository.root.appendingPathComponent("sweeps/smoke.json")
        // A first run creates sweep.db and is stopped before any work (no workers connect).
        let first = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "0", "--runs", folder.path],
                              in: folder, name: "coordinator-1")
        #expect(eventually(seconds: 20) { first.stderr.contains("coordinator listening") })
        first.signal(SIGTERM)
        #expect(first.wait(seconds: 15) == 130)
        let db = folder.appendingPathComponent("runs/smoke/sweep.db").path
        let ids = try SweepStore(path: db).allTrials().map(\.trialID)
        try #require(ids.count == 4)
        // What a HELLO claiming attempt Int64.max used to leave behind, and a curve row from nowhere.
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            try db.execute(sql: "UPDATE trials SET attempts = 9223372036854775807, status = 'running' WHERE trial_id = ?",
                           arguments: [ids[0]])
            try db.execute(sql: "INSERT INTO epochs (trial_id, attempt, epoch, recorded_at) VALUES (?, 1, -3, '2026-01-01')",
                           arguments: [ids[1]])
        }
        try queue.close()

        let second = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "2", "--runs", folder.path],
                               in: folder, name: "coordinator-2")
        #expect(second.wait(seconds: 90) == 0, "coordinator: \(second.stderr.suffix(2000))")
        #expect(second.stderr.contains("sweep.db repaired: trial \(ids[0])"))
        let store = try SweepStore(path: db)
        #expect(try store.trial(id: ids[0])?.attempts == 1)
        #expect(try store.allTrials().allSatisfy { $0.status == .done })
        #expect(try store.epochs(trialID: ids[1]).map(\.epoch) == [1, 2, 3])

        let damage = try DatabaseQueue(path: db)
        try damage.write { try $0.execute(sql: "UPDATE trials SET number = 'two' WHERE trial_id = ?", arguments: [ids[2]]) }
        try damage.close()
        let third = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "0", "--runs", folder.path],
                              in: folder, name: "coordinator-3")
        #expect(third.wait(seconds: 30) == 2)
        #expect(third.stderr.contains(ids[2]) && third.stderr.contains("sweep.db"))
    }
}
