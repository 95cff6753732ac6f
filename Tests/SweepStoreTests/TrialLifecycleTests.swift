import Foundation
import GRDB
import SweepStore
import Testing
import TrialSpec

@Suite struct TrialLifecycleTests {
    @Test func insertingTrialsTwiceKeepsStatusAndAttempts() throws {
        try withStore { store, _ in
            #expect(try store.insertTrials([shakespeareTrial(1), shakespeareTrial(2)]) == 2)
            try store.markRunning(trialID: "t1", workerID: "w", host: "h", leaseExpiresAt: time(60), at: time(0))
            // Same trials again (a resumed run) plus a new one (--extend).
            var changed = shakespeareTrial(1)
            changed.number = 99
            #expect(try store.insertTrials([changed, shakespeareTrial(2), shakespeareTrial(3)]) == 1)
            let t1 = try #require(try store.trial(id: "t1"))
            #expect(t1.status == .running)
            #expect(t1.attempts == 1)
            #expect(t1.number == 1)
            #expect(try store.allTrials().map(\.trialID) == ["t1", "t2", "t3"])
            #expect(t1.grid.map(\.key) == ["sequence_length", "cell", "hidden_size", "fc_layers"])
        }
    }

    @Test func anExtendedSweepNumbersEveryTrialByItsNewPositionAndDroppedOnesFollow() throws {
        try withStore { store, _ in
            // Seeds 1 and 2 of two configs: a1 b1 a2 b2 (seed outermost). Then a third seed and a
            // file without config b: a1 a2 a3, and b1 b2 are no longer in the sweep.
            try store.insertTrials(["a1", "b1", "a2", "b2"].enumerated().map { shakespeareTrial($0 + 1, id: $1) })
            try store.markRunning(trialID: "b2", workerID: "w", host: "h", leaseExpiresAt: time(60), at: time(0))
            try store.insertTrials(["a1", "a2", "a3"].enumerated().map { shakespeareTrial($0 + 1, id: $1) })
            #expect(try store.allTrials().map(\.number) == [1, 2, 3, 3, 4])   // before: a3 is a second #3
            try store.renumberTrials(order: ["a1", "a2", "a3"])
            let trials = try store.allTrials()
            #expect(trials.map(\.trialID) == ["a1", "a2", "a3", "b1", "b2"])
            #expect(trials.map(\.number) == [1, 2, 3, 4, 5])
            #expect(try store.trial(id: "b2")?.status == .running)
            #expect(try store.trial(id: "b2")?.attempts == 1)
        }
    }

    @Test func runningRequeueAndFinishTransitions() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1)])
            #expect(try store.markRunning(trialID: "t1", workerID: "w1", host: "a", leaseExpiresAt: time(30), at: time(0)) == 1)
            var trial = try #require(try store.trial(id: "t1"))
            #expect(trial.status == .running)
            #expect(trial.workerID == "w1")
            #expect(trial.leaseExpiresAt == time(30))
            #expect(try store.runningTrials().map(\.trialID) == ["t1"])

            // Already running: a second assignment is refused.
            #expect(throws: StoreError.invalidTransition(trialID: "t1", from: .running, to: .running)) {
                try store.markRunning(trialID: "t1", workerID: "w2", host: "b", leaseExpiresAt: time(30))
            }
            #expect(try store.renewLease(trialID: "t1", workerID: "w2", until: time(90)) == false)
            #expect(try store.renewLease(trialID: "t1", workerID: "w1", until: time(90)))
            #expect(try store.expiredLeases(at: time(60)).isEmpty)
            #expect(try store.expiredLeases(at: time(91)).map(\.trialID) == ["t1"])

            #expect(try store.endAttempt(trialID: "t1", attempt: 1, outcome: "lost", message: "silent", at: time(91)))
            #expect(try store.requeue(trialID: "t1", at: time(91)))
            trial = try #require(try store.trial(id: "t1"))
            #expect(trial.status == .queued)
            #expect(trial.attempts == 1)
            #expect(trial.workerID == nil)
            #expect(trial.leaseExpiresAt == nil)
            #expect(try store.requeue(trialID: "t1") == false)

            #expect(try store.markRunning(trialID: "t1", workerID: "w2", host: "b", leaseExpiresAt: time(200), at: time(100)) == 2)
            let attempts = try store.attempts(trialID: "t1")
            #expect(attempts.map(\.attempt) == [1, 2])
            #expect(attempts[0].outcome == "lost")
            #expect(attempts[0].message == "silent")
            #expect(attempts[0].endedAt == time(91))
            #expect(attempts[1].workerID == "w2")
            #expect(attempts[1].host == "b")
            #expect(attempts[1].endedAt == nil)

            #expect(try store.markFinished(trialID: "t1", status: .failed, at: time(150)))
            trial = try #require(try store.trial(id: "t1"))
            #expect(trial.status == .failed)
            #expect(trial.workerID == nil)
            #expect(try store.statusCounts()[.failed] == 1)
            #expect(throws: StoreError.invalidTransition(trialID: "t1", from: .failed, to: .running)) {
                try store.markRunning(trialID: "t1", workerID: "w3", host: nil, leaseExpiresAt: time(300))
            }
        }
    }

    /// An attempt count read back from disk at the protocol's limit starts no attempt whose number
    /// would not fit: the store names the damaged value and changes nothing.
    @Test func anAttemptCountAtItsLimitIsRefusedNotWrapped() throws {
        try withStore { store, folder in
            try store.insertTrials([shakespeareTrial(1)])
            // Damaged from outside, as another process or a bad disk would.
            try DatabaseQueue(path: folder.databasePath).write { db in
                try db.execute(sql: "UPDATE trials SET attempts = 2147483647 WHERE trial_id = 't1'")
            }
            #expect(throws: StoreError.corruptValue(table: "trials", column: "attempts", key: "t1", value: "2147483647")) {
                try store.markRunning(trialID: "t1", workerID: "w", host: nil, leaseExpiresAt: time(1))
            }
            #expect(try store.trial(id: "t1")?.status == .queued)
        }
    }

    @Test func unknownTrialIsAnError() throws {
        try withStore { store, _ in
            #expect(throws: StoreError.unknownTrial("nope")) {
                try store.markRunning(trialID: "nope", workerID: "w", host: nil, leaseExpiresAt: time(1))
            }
            #expect(throws: StoreError.unknownTrial("nope")) { try store.requeue(trialID: "nope") }
            let missing = try store.trial(id: "nope")
            #expect(missing == nil)
        }
    }

    @Test func adoptionKeepsAttemptsMonotonicAndRefusesFinishedTrials() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1), shakespeareTrial(2)])
            // A restarted coordinator hears from a worker already on attempt 2 of t1.
            #expect(try store.adoptRunning(trialID: "t1", attempt: 2, workerID: "w9", host: "far",
                                           leaseExpiresAt: time(40), at: time(10)))
            let t1 = try #require(try store.trial(id: "t1"))
            #expect(t1.status == .running)
            #expect(t1.attempts == 2)
            #expect(t1.workerID == "w9")
            #expect(try store.attempts(trialID: "t1").map(\.attempt) == [2])
            // A stale worker on attempt 1 does not lower the count.
            #expect(try store.adoptRunning(trialID: "t1", attempt: 1, workerID: "w8", host: nil, leaseExpiresAt: time(40)))
            #expect(try store.trial(id: "t1")?.attempts == 2)

            #expect(try store.recordResult(doneResult("t2")) == .recorded)
            #expect(try store.adoptRunning(trialID: "t2", attempt: 1, workerID: "w9", host: nil, leaseExpiresAt: time(40)) == false)
            #expect(try store.trial(id: "t2")?.status == .done)
        }
    }

    @Test func queuedTrialsComeInTheRequestedOrder() throws {
        try withStore { store, _ in
            try store.insertTrials([
                shakespeareTrial(1, cost: 5), shakespeareTrial(2, cost: nil), shakespeareTrial(3, cost: 9),
                shakespeareTrial(4, cost: 1), shakespeareTrial(5, cost: 9),
            ])
            try store.markRunning(trialID: "t3", workerID: "w", host: nil, leaseExpiresAt: time(1))
            #expect(try store.nextQueuedTrials(limit: 10).map(\.number) == [1, 2, 4, 5])
            #expect(try store.nextQueuedTrials(limit: 2).map(\.number) == [1, 2])
            #expect(try store.nextQueuedTrials(limit: 10, order: .costDescending).map(\.number) == [5, 1, 4, 2])
            #expect(try store.nextQueuedTrials(limit: 10, order: .costAscending).map(\.number) == [4, 1, 5, 2])
            let counts = try store.statusCounts()
            #expect(counts[.queued] == 4)
            #expect(counts[.running] == 1)
            #expect(counts[.done] == 0)
        }
    }

    @Test func laterAttemptOverwritesAnEpochAndOlderOneIsIgnored() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1)])
            func record(_ attempt: Int, _ n: Int, _ loss: Double) throws -> Bool {
                try store.recordEpoch(trialID: "t1", attempt: attempt, EpochMetrics(
                    epoch: n, trainLoss: loss, trainAccuracy: 0.4, valLoss: loss + 0.1, valAccuracy: 0.5,
                    valPerplexity: exp(loss + 0.1), seconds: 40, tokensPerSecond: 1000))
            }
            #expect(try record(1, 1, 2.0))
            #expect(try record(1, 2, 1.8))
            #expect(try record(2, 2, 1.7))
            #expect(try record(1, 2, 9.9) == false)
            #expect(try record(2, 3, 1.6))
            let epochs = try store.epochs(trialID: "t1")
            #expect(epochs.map(\.epoch) == [1, 2, 3])
            #expect(epochs.map(\.attempt) == [1, 2, 2])
            #expect(epochs.map(\.trainLoss) == [2.0, 1.7, 1.6])
            #expect(try store.lastEpoch(trialID: "t1") == 3)
            #expect(try store.lastEpoch(trialID: "t2") == nil)
        }
    }
}
