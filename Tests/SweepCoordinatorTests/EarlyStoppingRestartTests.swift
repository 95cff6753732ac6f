import Foundation
import SweepCoordinator
import SweepStore
import SweepTestSupport
import Testing

/// ASHA across a coordinator restart, on a real sweep.db: what a previous run left (trials at a
/// rung, decisions, stops) is written with the store's own calls, then a real coordinator service
/// starts on it. Rungs at epoch 1 of 3, η = 3.
@Suite(.serialized) struct EarlyStoppingRestartTests {
    private func ashaHarness() throws -> ServiceHarness {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8, 16, 24]}"#, epochs: 3)
        let text = try String(contentsOf: harness.sweepFile, encoding: .utf8).replacingOccurrences(
            of: #""schedule": "file-order""#,
            with: #""schedule": "file-order", "early_stopping": {"rule": "asha", "metric": "val_loss", "min_epochs": 1, "max_epochs": 3, "reduction_factor": 3}"#)
        try Data(text.utf8).write(to: harness.sweepFile)
        return harness
    }

    /// A previous run's attempt 1 of `trialID` trained epoch 1 (val_loss `loss`) and stored its checkpoint.
    private func reachRung(_ store: SweepStore, _ harness: ServiceHarness, _ trialID: String, loss: Double) throws {
        _ = try store.markRunning(trialID: trialID, workerID: "old-worker", host: "h", leaseID: "lease-\(trialID)",
                                  leaseExpiresAt: Date().addingTimeInterval(60))
        _ = try store.recordEpoch(trialID: trialID, attempt: 1, EpochMetrics(
            epoch: 1, trainLoss: loss, trainAccuracy: 0.1, valLoss: loss, valAccuracy: 0.1, valPerplexity: exp(loss),
            seconds: 1, tokensPerSecond: 100))
        let relative = "checkpoints/\(trialID)/epoch-1-attempt-1.safetensors"
        let file = harness.folder.root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let bytes = Data("checkpoint of \(trialID)".utf8)
        try bytes.write(to: file)
        _ = try store.recordCheckpoint(trialID: trialID, attempt: 1, epoch: 1, path: relative, sha256: SHA256Hex.digest(bytes),
                                       bytes: bytes.count, isBest: true)
    }

    /// The decision the previous run recorded, worded as the coordinator words it.
    private func decided(_ store: SweepStore, _ trialID: String, stop: Bool) throws {
        _ = try store.appendEvent(kind: "decision", message: "trial \(trialID) epoch 1: \(stop ? "stop" : "continue") (rung 1)",
                                  trialID: trialID)
        if stop { _ = try store.recordStopped(trialID: trialID, attempt: 1, epoch: 1, reason: "rung 1") }
    }

    private func trialIDs(_ store: SweepStore) throws -> [String] {
        try store.allTrials().sorted { $0.number < $1.number }.map(\.trialID)
    }

    @Test func aRungDecisionThatWaitedForItsCheckpointIsTakenAfterARestart() async throws {
        let harness = try ashaHarness()
        let ids: [String]
        do {
            let setup = try await RunSetup.prepare(harness.options)
            ids = try trialIDs(setup.store)
            try reachRung(setup.store, harness, ids[0], loss: 2.0)
            try decided(setup.store, ids[0], stop: true)
            // Trial 2 reached the rung and its checkpoint was stored; the run ended before the decision.
            try reachRung(setup.store, harness, ids[1], loss: 3.0)
        }
        let (_, _, finished, shutdown) = try await harness.startCoordinator()
        let store = try SweepStore(path: harness.folder.database.path)
        // Second of two at rung 1 while trial 3 has yet to run (top ⌊2/3⌋ = 0): stopped at once,
        // before its old worker could carry it past the rung.
        #expect(eventually(seconds: 30) { (try? store.trial(id: ids[1])?.status) == .stopped })
        let events = try store.events(kinds: ["decision"]).filter { $0.trialID == ids[1] }
        #expect(events.count == 1)
        #expect(events.first?.message.contains("epoch 1: stop (rung 1: rank 2 of 2, top 0 continue)") == true)
        let result = try #require(try store.result(trialID: ids[1]))
        #expect(result.status == .stopped && result.attempt == 1 && result.epochsRun == 1 && result.valLoss == 3.0)
        #expect(try store.attempts(trialID: ids[1]).first?.outcome == "stopped")
        shutdown.request()
        #expect(finished.wait(seconds: 30) == false)
    }

    @Test func aRestartPromotesWhatAClosedRungLetsGoOn() async throws {
        let harness = try ashaHarness()
        let ids: [String]
        do {
            let setup = try await RunSetup.prepare(harness.options)
            ids = try trialIDs(setup.store)
            try reachRung(setup.store, harness, ids[0], loss: 1.0)
            try decided(setup.store, ids[0], stop: true)
            try reachRung(setup.store, harness, ids[1], loss: 2.0)
            try decided(setup.store, ids[1], stop: true)
            // Trial 3 failed before the rung, so nobody can reach it any more; the run ended there.
            _ = try setup.store.markRunning(trialID: ids[2], workerID: "old-worker", host: "h", leaseExpiresAt: Date())
            _ = try setup.store.markFinished(trialID: ids[2], status: .failed)
        }
        // Every trial looks finished, but the closed rung lets its best go on: trial 1 is queued
        // again before the coordinator could call the sweep complete.
        let (_, _, finished, shutdown) = try await harness.startCoordinator()
        let store = try SweepStore(path: harness.folder.database.path)
        #expect(eventually(seconds: 30) { (try? store.trial(id: ids[0])?.status) == .queued })
        let promoted = try store.events(kinds: ["promoted"])
        #expect(promoted.map(\.trialID) == [ids[0]])
        #expect(promoted.first?.message.contains("no more trials can reach it") == true)
        #expect(try store.trial(id: ids[1])?.status == .stopped)
        #expect(try store.result(trialID: ids[0]) == nil)
        shutdown.request()
        #expect(finished.wait(seconds: 30) == false)
    }

    @Test func aTrialTheBudgetStoppedBeforeItRanRecordsNoAttempt() async throws {
        let harness = try ashaHarness()
        let ids: [String]
        do {
            let setup = try await RunSetup.prepare(harness.options)
            ids = try trialIDs(setup.store)
            #expect(try setup.store.recordStopped(trialID: ids[2], attempt: 0, epoch: 0, reason: "budget of 3 trial-epochs spent"))
        }
        let store = try SweepStore(path: harness.folder.database.path)
        let result = try #require(try store.result(trialID: ids[2]))
        #expect(result.attempt == 0 && result.status == .stopped && result.epochsRun == 0)
        #expect(try store.attempts(trialID: ids[2]).isEmpty)
        #expect(try store.trial(id: ids[2])?.attempts == 0)
        // Read back by the next run: not "repaired" into an attempt it never had.
        let setup = try await RunSetup.prepare(harness.options)
        #expect(setup.repairs.filter { $0.trialID == ids[2] }.isEmpty)
        #expect(setup.restored[ids[2]]?.winningAttempt == 0)
        #expect(try setup.store.result(trialID: ids[2])?.attempt == 0)
    }
}
