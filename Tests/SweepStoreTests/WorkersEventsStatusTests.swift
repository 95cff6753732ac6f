import Foundation
import SweepStore
import Testing
import TrialSpec

@Suite struct WorkersEventsStatusTests {
    @Test func workersAreUpsertedCountedAndQuarantined() throws {
        try withStore { store, _ in
            try store.upsertWorker(workerID: "w1", host: "alpha", cores: 2, build: "abc", at: time(0))
            try store.upsertWorker(workerID: "w1", host: "alpha", cores: 2, build: "def", at: time(5))
            #expect(try store.touchWorker(workerID: "w1", at: time(9)))
            #expect(try store.touchWorker(workerID: "ghost") == false)
            #expect(try store.recordInfraFailure(workerID: "w1") == 1)
            #expect(try store.recordInfraFailure(workerID: "w1") == 2)
            try store.setQuarantined(workerID: "w1", true)
            let worker = try #require(try store.worker(id: "w1"))
            #expect(worker.firstSeen == time(0))
            #expect(worker.lastSeen == time(9))
            #expect(worker.build == "def")
            #expect(worker.infraFailures == 2)
            #expect(worker.quarantined)
            #expect(throws: StoreError.unknownWorker("ghost")) { try store.recordInfraFailure(workerID: "ghost") }
            try store.upsertWorker(workerID: "w2", host: "beta", cores: nil, build: nil, at: time(1))
            #expect(try store.allWorkers().map(\.workerID) == ["w1", "w2"])
        }
    }

    @Test func eventLogTailsAndFollows() throws {
        try withStore { store, _ in
            var ids: [Int64] = []
            for i in 1...5 {
                ids.append(try store.appendEvent(kind: "k\(i)", message: "m\(i)", trialID: i == 3 ? "t1" : nil,
                                                 workerID: "w", at: time(i)))
            }
            let tail = try store.tailEvents(limit: 2)
            #expect(tail.map(\.message) == ["m4", "m5"])
            #expect(try store.events(afterID: ids[2]).map(\.kind) == ["k4", "k5"])
            let third = try #require(try store.tailEvents(limit: 10).first { $0.kind == "k3" })
            #expect(third.trialID == "t1")
            #expect(third.time == time(3))
        }
    }

    @Test func statusSummaryGivesCountsRunningTrialsAndETAInputs() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1, cost: 2), shakespeareTrial(2, cost: 3),
                                    shakespeareTrial(3, cost: nil), shakespeareTrial(4, cost: 7)])
            try store.upsertWorker(workerID: "w1", host: "alpha", cores: 2, build: nil, at: time(0))
            try store.markRunning(trialID: "t1", workerID: "w1", host: "alpha", leaseExpiresAt: time(100), at: time(0))
            #expect(try store.recordResult(doneResult("t1"), at: time(80)) == .recorded)
            try store.markRunning(trialID: "t2", workerID: "w1", host: nil, leaseExpiresAt: time(200), at: time(90))
            try store.recordEpoch(trialID: "t2", attempt: 1, EpochMetrics(epoch: 1, trainLoss: 2, trainAccuracy: 0.3, valLoss: 2,
                                                                          valAccuracy: 0.3, valPerplexity: 7.4, seconds: 10,
                                                                          tokensPerSecond: 100))

            let summary = try store.statusSummary()
            #expect(summary.total == 4)
            #expect(summary.counts[.done] == 1)
            #expect(summary.counts[.running] == 1)
            #expect(summary.counts[.queued] == 2)
            let running = try #require(summary.running.first)
            #expect(summary.running.count == 1)
            #expect(running.trialID == "t2")
            #expect(running.workerID == "w1")
            #expect(running.host == "alpha")
            #expect(running.attempt == 1)
            #expect(running.lastEpoch == 1)
            #expect(running.plannedEpochs == 10)
            #expect(running.startedAt == time(90))
            #expect(summary.finished == [StatusSummary.FinishedTrial(
                trialID: "t1", status: .done, estimatedCost: 2, trainingSeconds: 437.21747851371765, wallSeconds: 80)])
            #expect(summary.remainingEstimatedCost == 10)
            #expect(summary.remainingWithoutEstimate == 1)
        }
    }
}
