import Foundation
import GRDB
import Testing
@testable import SweepStore

@Suite struct StoppedTrialTests {
    private func record(_ store: SweepStore, _ trialID: String, _ attempt: Int, _ epoch: Int, val: Double) throws {
        try store.recordEpoch(trialID: trialID, attempt: attempt, EpochMetrics(
            epoch: epoch, trainLoss: val - 0.1, trainAccuracy: 0.5, valLoss: val, valAccuracy: 0.5, valPerplexity: 3,
            seconds: 2, tokensPerSecond: 100))
    }

    @Test func aStoppedTrialKeepsItsEpochAndLastMetricsAndIsPromotedBackToTheQueue() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1), shakespeareTrial(2)])
            try store.markRunning(trialID: "t1", workerID: "w1", host: "h1", leaseExpiresAt: time(60), at: time(0))
            for (e, val) in [(1, 2.0), (2, 1.5), (3, 1.7)] { try record(store, "t1", 1, e, val: val) }
            #expect(try store.recordStopped(trialID: "t1", attempt: 1, epoch: 3, reason: "rung 3: rank 2 of 2, top 1 continue"))
            #expect(try store.trial(id: "t1")?.status == .stopped)
            let result = try #require(try store.result(trialID: "t1"))
            #expect(result.status == .stopped)
            #expect(result.epochsRun == 3 && result.bestEpoch == 2)
            #expect(result.valLoss == 1.7 && result.trainingSeconds == 6 && result.workerHost == "h1")
            // The stored object is a result object: the stop epoch's metrics, and why as its message.
            let stored = try JSONDecoder().decode(ResultMetrics.self, from: Data(result.resultJSON.utf8))
            #expect(stored.epochsRun == 3 && stored.bestEpoch == 2 && stored.valLoss == 1.7)
            #expect(stored.message == "rung 3: rank 2 of 2, top 1 continue")
            #expect(try store.attempts(trialID: "t1").last?.outcome == "stopped")
            // results.csv: status and the epoch it stopped at; a queued trial's cell stays empty.
            let rows = try parseCSV(try store.csv(.results))
            let header = try #require(rows.first)
            let status = try #require(header.firstIndex(of: "status")), stoppedAt = try #require(header.firstIndex(of: "stopped_epoch"))
            let valLoss = try #require(header.firstIndex(of: "val_loss"))
            #expect(rows[1][status] == "stopped" && rows[1][stoppedAt] == "3" && Double(rows[1][valLoss]) == 1.7)
            #expect(rows[2][status] == "queued" && rows[2][stoppedAt] == "")
            // --retry-failed leaves stopped trials alone.
            #expect(try store.retryFinished(configErrors: true).isEmpty)
            #expect(try store.trial(id: "t1")?.status == .stopped)
            // Promotion: queued again, the stopped row gone, the curve kept for the resumed attempt.
            #expect(try store.promote(trialID: "t1"))
            #expect(try store.trial(id: "t1")?.status == .queued)
            #expect(try store.result(trialID: "t1") == nil)
            #expect(try store.epochs(trialID: "t1").count == 3)
            #expect(try store.promote(trialID: "t1") == false)
            // A trial with a final result is never turned into a stopped one.
            _ = try store.recordResult(doneResult("t2"))
            #expect(try store.recordStopped(trialID: "t2", attempt: 0, epoch: 0, reason: "budget") == false)
            #expect(try store.trial(id: "t2")?.status == .done)
        }
    }

    @Test func decisionEventsAreReadBackByKind() throws {
        try withStore { store, _ in
            try store.appendEvent(kind: "decision", message: "trial t1 epoch 1: continue (x)", trialID: "t1")
            try store.appendEvent(kind: "progress", message: "p")
            try store.appendEvent(kind: "promoted", message: "trial t1 promoted from epoch 1: y", trialID: "t1")
            #expect(try store.events(kinds: ["decision", "promoted"]).map(\.kind) == ["decision", "promoted"])
        }
    }

    /// A run folder made before early stopping: the trials table is rebuilt to allow `stopped`,
    /// and every row (and the rows that reference trials) survives.
    @Test func aVersion3DatabaseMigratesAndKeepsItsRows() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        do {
            let queue = try DatabaseQueue(path: folder.databasePath)
            try StoreSchema.migrator.migrate(queue, upTo: "v3-retry-budget")
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO trials (trial_id, number, config_json, grid_json, status, attempts, created_at, updated_at, retry_from_attempt)
                    VALUES ('t1', 1, '{}', '[]', 'done', 1, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000', 0);
                    INSERT INTO attempts (trial_id, attempt, started_at) VALUES ('t1', 1, '2026-01-01 00:00:00.000');
                    INSERT INTO epochs (trial_id, attempt, epoch, val_loss, recorded_at) VALUES ('t1', 1, 1, 1.5, '2026-01-01 00:00:00.000');
                    """)
                #expect(throws: (any Error).self) {
                    try db.execute(sql: "UPDATE trials SET status = 'stopped' WHERE trial_id = 't1'")
                }
            }
        }
        let store = try SweepStore(path: folder.databasePath)
        #expect(try store.appliedMigrations().contains("v6-stopped-status"))
        #expect(try store.trial(id: "t1")?.status == .done)
        #expect(try store.attempts(trialID: "t1").count == 1)
        #expect(try store.epochs(trialID: "t1").first?.valLoss == 1.5)
        try store.insertTrials([shakespeareTrial(2)])
        #expect(try store.recordStopped(trialID: "t2", attempt: 0, epoch: 0, reason: "budget"))
        #expect(try store.trial(id: "t2")?.status == .stopped)
    }
}
