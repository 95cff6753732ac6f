import Foundation
import GRDB
@testable import SweepStore
import Synchronization
import Testing

/// The reads a run's start makes once per table (every trial's attempts, latest checkpoint, result,
/// epoch count) return what the per-trial reads return, for trials in every state; and a write
/// transaction checks that a trial exists once per trial, not once per write.
@Suite struct BulkReadTests {
    private static func epoch(_ n: Int) -> EpochMetrics {
        EpochMetrics(epoch: n, trainLoss: 2.5 - Double(n) / 10, trainAccuracy: 0.3, valLoss: 2.4, valAccuracy: 0.31,
                     valPerplexity: 11.0, seconds: 1.5, tokensPerSecond: 1000)
    }

    /// t1 done on its second attempt (the first lost), t2 running with two checkpoints, t3 queued
    /// and untouched, t4 failed with no checkpoint, t5 done in one attempt.
    private static func seed(_ store: SweepStore) throws {
        try store.insertTrials((1...5).map { shakespeareTrial($0) })
        for attempt in 1...2 {
            try store.markRunning(trialID: "t1", workerID: "w\(attempt)", host: "h", leaseExpiresAt: time(600), at: time(attempt))
            try store.recordEpoch(trialID: "t1", attempt: attempt, epoch(attempt), at: time(10 + attempt))
            try store.recordCheckpoint(trialID: "t1", attempt: attempt, epoch: attempt, path: "checkpoints/t1/e\(attempt)-a\(attempt)",
                                       sha256: String(repeating: "\(attempt)", count: 64), bytes: 10, isBest: true, at: time(20 + attempt))
            if attempt == 1 {
                try store.endAttempt(trialID: "t1", attempt: 1, outcome: "lost", message: "gone", at: time(30))
                try store.requeue(trialID: "t1", at: time(31))
            }
        }
        try store.write { tx in
            _ = try tx.recordResult(doneResult("t1", attempt: 2), at: time(40))
            _ = try tx.keepLineage(trialID: "t1", attempt: 2, at: time(40))
        }
        try store.markRunning(trialID: "t2", workerID: "w1", host: "h", leaseExpiresAt: time(600), at: time(50))
        for n in 1...2 {
            try store.recordEpoch(trialID: "t2", attempt: 1, epoch(n), at: time(50 + n))
            try store.recordCheckpoint(trialID: "t2", attempt: 1, epoch: n, path: "checkpoints/t2/e\(n)", sha256: String(repeating: "a", count: 64),
                                       bytes: 10, isBest: n == 1, at: time(50 + n))
        }
        try store.markRunning(trialID: "t4", workerID: "w2", host: "h", leaseExpiresAt: time(600), at: time(60))
        try store.endAttempt(trialID: "t4", attempt: 1, outcome: "infra", message: "disk", at: time(61))
        try store.markFinished(trialID: "t4", status: .failed, at: time(62))
        try store.markRunning(trialID: "t5", workerID: "w2", host: "h", leaseExpiresAt: time(600), at: time(70))
        try store.recordEpoch(trialID: "t5", attempt: 1, epoch(1), at: time(71))
        _ = try store.recordResult(doneResult("t5", valLoss: 1.25), at: time(72))
    }

    @Test func readsOfEveryTrialEqualTheReadsOfEachTrial() throws {
        try withStore { store, _ in
            try Self.seed(store)
            let attempts = try store.attemptsByTrial()
            let latest = try store.latestCheckpointsByTrial()
            let results = try store.resultsByTrial()
            let counts = try store.epochCounts()
            let ids = try store.allTrials().map(\.trialID)
            #expect(ids == ["t1", "t2", "t3", "t4", "t5"])
            for id in ids {
                #expect(attempts[id] ?? [] == (try store.attempts(trialID: id)), "attempts of \(id)")
                #expect(latest[id] == (try store.latestCheckpoint(trialID: id)), "latest checkpoint of \(id)")
                #expect(results[id] == (try store.result(trialID: id)), "result of \(id)")
                #expect(counts[id] ?? 0 == (try store.epochs(trialID: id)).count, "epoch count of \(id)")
            }
            // The seed reaches every kind of row it means to: none of the comparisons is of empty maps.
            #expect(attempts["t1"]?.map(\.attempt) == [1, 2] && attempts["t3"] == nil)
            #expect(latest["t1"]?.epoch == 2 && latest["t2"]?.epoch == 2 && latest["t4"] == nil)
            #expect(Set(results.keys) == ["t1", "t5"])
            #expect(counts == ["t1": 2, "t2": 2, "t5": 1])
        }
    }

    @Test func aTransactionChecksEachTrialOnceAndStillRefusesAnUnknownOne() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1), shakespeareTrial(2)])
            try store.markRunning(trialID: "t1", workerID: "w1", host: "h", leaseExpiresAt: time(600), at: time(0))
            let checks = Mutex(0)
            try store.pool.write { db in
                db.trace { event in
                    if event.description.hasPrefix("SELECT status, attempts FROM trials") { checks.withLock { $0 += 1 } }
                }
            }
            // A result's bookkeeping: epochs, a checkpoint, the result, its lineage, the next assignment.
            try store.write { tx in
                _ = try tx.recordEpoch(trialID: "t1", attempt: 1, Self.epoch(1))
                _ = try tx.recordCheckpoint(trialID: "t1", attempt: 1, epoch: 1, path: "c/t1", sha256: String(repeating: "b", count: 64),
                                            bytes: 1, isBest: true)
                _ = try tx.recordResult(doneResult("t1"))
                _ = try tx.recordMissingEpochs(trialID: "t1", attempt: 1, history: [Self.epoch(1)])
                _ = try tx.keepLineage(trialID: "t1", attempt: 1)
                _ = try tx.recordEpoch(trialID: "t2", attempt: 0, Self.epoch(1))
            }
            #expect(checks.withLock { $0 } == 2)
            // Transitions read the state afresh (an earlier write in the transaction may have changed
            // it); starting an attempt checks it in its own UPDATE and reads nothing unless refused.
            try store.write { tx in
                _ = try tx.markRunning(trialID: "t2", workerID: "w1", host: "h", leaseExpiresAt: time(600))
                _ = try tx.markFinished(trialID: "t2", status: .done)
            }
            #expect(checks.withLock { $0 } == 3)
            #expect(try store.trial(id: "t2")?.status == .done)
            #expect(throws: StoreError.unknownTrial("t9")) {
                try store.write { tx in
                    _ = try tx.recordEpoch(trialID: "t1", attempt: 1, Self.epoch(2))
                    _ = try tx.recordEpoch(trialID: "t9", attempt: 1, Self.epoch(1))
                }
            }
            #expect(try store.epochs(trialID: "t1").map(\.epoch) == [1])
        }
    }
}
