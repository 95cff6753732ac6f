import Foundation
import GRDB
import SweepStore
import Testing

/// Elastic cores in sweep.db: `trial_progress.threads` (migration v8) holds the thread count a
/// running trial's worker last reported; a damaged value is dropped, not trusted.
@Suite struct ProgressThreadsTests {
    @Test func theReportedThreadCountIsStoredReadBackAndValidated() throws {
        try withStore { store, folder in
            try store.insertTrials([shakespeareTrial(1, id: "t1"), shakespeareTrial(2, id: "t2")])
            try store.markRunning(trialID: "t1", workerID: "w1", host: "h", leaseExpiresAt: time(60))
            try store.markRunning(trialID: "t2", workerID: "w2", host: "h", leaseExpiresAt: time(60))
            try store.recordLiveness(progress: [
                TrialProgress(trialID: "t1", attempt: 1, workerID: "w1", epoch: 1, batch: 2, batches: 9, tokens: 8,
                              tokensPerSecond: 4, updatedAt: time(1), threads: 2),
                TrialProgress(trialID: "t2", attempt: 1, workerID: "w2", epoch: 1, batch: 2, batches: 9, tokens: 8,
                              tokensPerSecond: 4, updatedAt: time(1)),
            ], workersSeen: [:])
            var rows = Dictionary(uniqueKeysWithValues: try store.runningProgress().map { ($0.trialID, $0) })
            #expect(rows["t1"]?.threads == 2)
            #expect(rows["t2"] != nil && rows["t2"]?.threads == nil)
            // A later report changes it.
            try store.recordLiveness(progress: [
                TrialProgress(trialID: "t1", attempt: 1, workerID: "w1", epoch: 1, batch: 3, batches: 9, tokens: 12,
                              tokensPerSecond: 4, updatedAt: time(2), threads: 1),
            ], workersSeen: [:])
            rows = Dictionary(uniqueKeysWithValues: try store.runningProgress().map { ($0.trialID, $0) })
            #expect(rows["t1"]?.threads == 1)
            // Damaged counts read as unknown; the rest of the row stays.
            let queue = try DatabaseQueue(path: folder.databasePath)
            try queue.write { db in
                try db.execute(sql: "UPDATE trial_progress SET threads = 999 WHERE trial_id = 't1'")
                try db.execute(sql: "UPDATE trial_progress SET threads = 'many' WHERE trial_id = 't2'")
            }
            rows = Dictionary(uniqueKeysWithValues: try store.runningProgress().map { ($0.trialID, $0) })
            #expect(rows["t1"]?.threads == nil && rows["t1"]?.batch == 3)
            #expect(rows["t2"]?.threads == nil && rows["t2"]?.batch == 2)
            // An out-of-range count is not written at all.
            #expect(!TrialProgress(trialID: "t1", attempt: 1, workerID: nil, epoch: 1, batch: 0, batches: 1, tokens: 0,
                                   tokensPerSecond: 0, updatedAt: time(3), threads: 0).isValid)
        }
    }
}
