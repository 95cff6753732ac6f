import Foundation
import SweepStore
import Testing

@Suite struct ResultRecordingTests {
    @Test func firstResultWinsAndDuplicatesReportTheStoredAttempt() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1)])
            try store.markRunning(trialID: "t1", workerID: "w1", host: "host1", leaseExpiresAt: time(60), at: time(0))
            #expect(try store.recordResult(doneResult("t1", attempt: 1, valLoss: 1.25), at: time(50)) == .recorded)
            // The same RESULT again (lost ACK), then a late copy from another attempt.
            #expect(try store.recordResult(doneResult("t1", attempt: 1, valLoss: 1.25)) == .duplicate(existingAttempt: 1))
            #expect(try store.recordResult(doneResult("t1", attempt: 2, valLoss: 0.5)) == .duplicate(existingAttempt: 1))
            var diverged = doneResult("t1", attempt: 3)
            diverged.status = .diverged
            #expect(try store.recordResult(diverged) == .duplicate(existingAttempt: 1))

            let stored = try #require(try store.result(trialID: "t1"))
            #expect(stored == doneResult("t1", attempt: 1, valLoss: 1.25))
            let trial = try #require(try store.trial(id: "t1"))
            #expect(trial.status == .done)
            #expect(trial.workerID == nil)
            #expect(trial.leaseExpiresAt == nil)
            let attempt = try #require(try store.attempts(trialID: "t1").first)
            #expect(attempt.outcome == "done")
            #expect(attempt.endedAt == time(50))
        }
    }

    @Test func resultSurvivesClosingAndReopening() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        do {
            let store = try SweepStore(path: folder.databasePath)
            try store.insertTrials([shakespeareTrial(1), shakespeareTrial(2)])
            try store.markRunning(trialID: "t1", workerID: "w1", host: "host1", leaseExpiresAt: time(60))
            #expect(try store.recordResult(doneResult("t1", sample: "line one\nline, \"two\"")) == .recorded)
        }
        let reopened = try SweepStore(path: folder.databasePath)
        let stored = try #require(try reopened.result(trialID: "t1"))
        #expect(stored.sample == "line one\nline, \"two\"")
        #expect(stored.valLoss == 1.3724205528732634)
        #expect(try reopened.trial(id: "t1")?.status == .done)
        #expect(try reopened.recordResult(doneResult("t1", attempt: 2)) == .duplicate(existingAttempt: 1))
        #expect(try reopened.trial(id: "t2")?.status == .queued)
    }

    @Test func resultStatusBecomesTheTrialStatus() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1), shakespeareTrial(2)])
            let configError = TrialResult(trialID: "t1", attempt: 1, status: .configError,
                                          resultJSON: #"{"error":"hidden_size 0"}"#)
            #expect(try store.recordResult(configError) == .recorded)
            #expect(try store.trial(id: "t1")?.status == .configError)
            #expect(try store.result(trialID: "t1")?.valLoss == nil)
            // A trial with a result cannot be marked failed afterwards.
            #expect(try store.markFinished(trialID: "t1", status: .failed) == false)
            #expect(try store.trial(id: "t1")?.status == .configError)

            #expect(throws: StoreError.resultStatusNotFinished(trialID: "t2", status: .running)) {
                var result = doneResult("t2")
                result.status = .running
                _ = try store.recordResult(result)
            }
            #expect(throws: StoreError.unknownTrial("t9")) { try store.recordResult(doneResult("t9")) }
            #expect(try store.result(trialID: "t2") == nil)
        }
    }
}
