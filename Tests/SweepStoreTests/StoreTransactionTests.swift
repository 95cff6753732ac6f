import Foundation
import SweepStore
import Testing

/// Several mutations in one `SweepStore.write`: they commit together, or a failure anywhere in it
/// leaves sweep.db as it was, and the same writes go through when tried again.
@Suite struct StoreTransactionTests {
    private struct Injected: Error {}

    private static let epoch = EpochMetrics(epoch: 1, trainLoss: 2.5, trainAccuracy: 0.3, valLoss: 2.4, valAccuracy: 0.31,
                                            valPerplexity: 11.0, seconds: 1.5, tokensPerSecond: 1000)

    @Test func anAssignmentItsEpochAndItsEventsCommitTogether() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1)])
            let before = try store.tailEvents(limit: 100).count
            let attempt = try store.write { tx in
                let attempt = try tx.markRunning(trialID: "t1", workerID: "w1", host: "h", leaseExpiresAt: time(60), at: time(0))
                try tx.appendEvent(kind: "assign", message: "t1 to w1", trialID: "t1", workerID: "w1", at: time(0))
                _ = try tx.recordEpoch(trialID: "t1", attempt: attempt, Self.epoch, at: time(1))
                _ = try tx.renewLease(trialID: "t1", workerID: "w1", until: time(90))
                return attempt
            }
            #expect(attempt == 1)
            let trial = try #require(try store.trial(id: "t1"))
            #expect(trial.status == .running)
            #expect(trial.leaseExpiresAt == time(90))
            #expect(try store.epochs(trialID: "t1").map(\.epoch) == [1])
            #expect(try store.tailEvents(limit: 100).count == before + 1)
        }
    }

    @Test func aFailureLateInTheTransactionUndoesEveryEarlierWriteInIt() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1)])
            let events = try store.tailEvents(limit: 100).count
            #expect(throws: Injected.self) {
                try store.write { tx in
                    _ = try tx.markRunning(trialID: "t1", workerID: "w1", host: "h", leaseExpiresAt: time(60))
                    try tx.appendEvent(kind: "assign", message: "t1 to w1")
                    _ = try tx.recordEpoch(trialID: "t1", attempt: 1, Self.epoch)
                    throw Injected()
                }
            }
            let trial = try #require(try store.trial(id: "t1"))
            #expect(trial.status == .queued)
            #expect(trial.attempts == 0)
            #expect(try store.attempts(trialID: "t1").isEmpty)
            #expect(try store.epochs(trialID: "t1").isEmpty)
            #expect(try store.tailEvents(limit: 100).count == events)
        }
    }

    /// The coordinator's result transaction: result row, attempt closed, lineage kept. A store
    /// error in its last write (here: a trial the store does not know) leaves no result behind, so
    /// the result is not acknowledged; sent again, it is recorded exactly once.
    @Test func aDurableResultTransactionThatFailsRecordsNothingAndGoesThroughWhenRetried() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1)])
            try store.markRunning(trialID: "t1", workerID: "w1", host: "host1", leaseExpiresAt: time(60), at: time(0))
            _ = try store.recordEpoch(trialID: "t1", attempt: 1, Self.epoch, at: time(1))
            func commitResult(lineageOf trialID: String) throws {
                _ = try store.write(durable: true) { tx in
                    #expect(try tx.recordResult(doneResult("t1"), at: time(50)) == .recorded)
                    _ = try tx.endAttempt(trialID: "t1", attempt: 1, outcome: "done", at: time(50))
                    return try tx.keepLineage(trialID: trialID, attempt: 1)
                }
            }
            #expect(throws: StoreError.unknownTrial("nope")) { try commitResult(lineageOf: "nope") }
            #expect(try store.result(trialID: "t1") == nil)
            #expect(try store.trial(id: "t1")?.status == .running)
            #expect(try store.attempts(trialID: "t1").first?.endedAt == nil)
            // FULL for that transaction only: the writer is back at NORMAL after the failure.
            #expect(try store.synchronousLevel() == 1)

            try commitResult(lineageOf: "t1")
            #expect(try store.result(trialID: "t1") == doneResult("t1"))
            #expect(try store.trial(id: "t1")?.status == .done)
            let attempt = try #require(try store.attempts(trialID: "t1").first)
            #expect(attempt.outcome == "done")
            #expect(attempt.endedAt == time(50))
            #expect(try store.epochs(trialID: "t1").map(\.epoch) == [1])
            #expect(try store.synchronousLevel() == 1)
        }
    }
}
