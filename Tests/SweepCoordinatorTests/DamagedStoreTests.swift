import Foundation
import GRDB
import SweepCoordinator
import SweepStore
import Testing

/// sweep.db values a run reads back are validated first: damage is repaired (and logged) or the
/// run stops with a message naming the trial; it never traps.
@Suite(.serialized) struct DamagedStoreTests {
    /// Prepares the run once (creating sweep.db), then lets `damage` edit the file with raw SQL.
    private func damagedHarness(_ damage: @escaping @Sendable (Database, [String]) throws -> Void) async throws -> (ServiceHarness, [String]) {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8, 16, 24]}"#, epochs: 2)
        _ = try await RunSetup.prepare(harness.options)
        let ids = try SweepStore(path: harness.folder.database.path).allTrials().map(\.trialID)
        let queue = try DatabaseQueue(path: harness.folder.database.path)
        try await queue.write { try damage($0, ids) }
        try queue.close()
        return (harness, ids)
    }

    @Test func absurdAttemptCountsNegativeEpochsAndMissingCheckpointsAreRepairedAndTheRunFinishes() async throws {
        let (harness, ids) = try await damagedHarness { db, ids in
            try db.execute(sql: "UPDATE trials SET attempts = 9223372036854775807 WHERE trial_id = ?", arguments: [ids[0]])
            try db.execute(sql: "UPDATE trials SET attempts = 'lots' WHERE trial_id = ?", arguments: [ids[1]])
            try db.execute(sql: """
                INSERT INTO epochs (trial_id, attempt, epoch, train_loss, recorded_at) VALUES (?, 1, -5, 1.0, '2026-01-01'),
                                                                                            (?, 1, 1, 'high', '2026-01-01')
                """, arguments: [ids[1], ids[2]])
            try db.execute(sql: """
                INSERT INTO checkpoints (trial_id, attempt, epoch, path, sha256, bytes, is_best, is_latest, created_at)
                VALUES (?, 1, 1, 'checkpoints/gone/epoch-1-attempt-1.safetensors', ?, 10, 0, 1, '2026-01-01')
                """, arguments: [ids[2], String(repeating: "a", count: 64)])
        }
        // A prepared run holds the run folder's lock: this one ends before the coordinator starts.
        let store: SweepStore
        do {
            let setup = try await RunSetup.prepare(harness.options)
            let repaired = Set(setup.repairs.map(\.trialID))
            #expect(repaired == Set(ids))
            #expect(setup.repairs.contains { $0.trialID == ids[0] && $0.action.contains("9223372036854775807") })
            #expect(setup.repairs.contains { $0.trialID == ids[2] && $0.action.contains("missing") })
            store = setup.store
        }
        #expect(try store.trial(id: ids[0])?.attempts == 0)
        #expect(try store.trial(id: ids[1])?.attempts == 0)
        #expect(try store.epochs(trialID: ids[1]).isEmpty)
        #expect(try store.epochs(trialID: ids[2]).first?.trainLoss == nil)
        #expect(try store.checkpoints(trialID: ids[2]).isEmpty)

        // The run logs what was repaired and completes every trial with sane attempt numbers.
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        _ = try harness.startWorker(endpoint, name: "w")
        #expect(finished.wait(seconds: 30) == true)
        #expect(try store.allTrials().allSatisfy { $0.status == .done && $0.attempts == 1 })
        #expect(try store.tailEvents(limit: 200).contains { $0.kind == "repair" && $0.message.contains(ids[0]) })
    }

    @Test func damageThatCannotBeRepairedStopsTheRunNamingTheTrial() async throws {
        let (harness, ids) = try await damagedHarness { db, ids in
            try db.execute(sql: "UPDATE trials SET number = 'seven' WHERE trial_id = ?", arguments: [ids[1]])
        }
        do {
            _ = try await RunSetup.prepare(harness.options)
            Issue.record("a trial without a number was accepted")
        } catch let error as RunSetupError {
            #expect(error.message.contains(ids[1]))
            #expect(error.message.contains("sweep.db"))
            #expect(error.exitCode != 0)
        }
    }

    /// Progress rows read back for `coordinator status` are checked like messages: a row out of
    /// range or of the wrong type is left out, never trapped on, and the good one is shown.
    @Test func damagedProgressRowsAreSkippedByStatus() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8, 16, 24, 32]}"#, epochs: 2)
        _ = try await RunSetup.prepare(harness.options)
        let store = try SweepStore(path: harness.folder.database.path)
        let ids = try store.allTrials().map(\.trialID)
        try store.upsertWorker(workerID: "w", host: "h", cores: 1, build: "b")
        for id in ids { _ = try store.markRunning(trialID: id, workerID: "w", host: "h", leaseExpiresAt: Date()) }
        try store.recordLiveness(progress: ids.map {
            TrialProgress(trialID: $0, attempt: 1, workerID: "w", epoch: 1, batch: 5, batches: 10, tokens: 50,
                          tokensPerSecond: 100, updatedAt: Date())
        }, workersSeen: [:])
        let queue = try DatabaseQueue(path: harness.folder.database.path)
        try await queue.write { db in
            try db.execute(sql: "UPDATE trial_progress SET batch = 11 WHERE trial_id = ?", arguments: [ids[0]])
            try db.execute(sql: "UPDATE trial_progress SET tokens_per_second = 'fast' WHERE trial_id = ?", arguments: [ids[1]])
            try db.execute(sql: "UPDATE trial_progress SET epoch = 9223372036854775807 WHERE trial_id = ?", arguments: [ids[2]])
        }
        try queue.close()
        #expect(try store.runningProgress().map(\.trialID) == [ids[3]])
        let progress = try SweepProgress.load(from: store, sweep: "svc")
        #expect(progress.running.count == 4)
        #expect(progress.running.filter { $0.batch != nil }.map(\.trialID) == [ids[3]])
        #expect(progress.running.first { $0.trialID == ids[0] }?.epoch == 1)
    }
}
