import Foundation
import GRDB
import Testing
@testable import SweepStore

/// Only what must survive power loss pays for an fsync: writes commit with WAL's synchronous
/// NORMAL, and a durable write (a result) commits with FULL, then the writer goes back to NORMAL.
@Suite struct DurableWriteTests {
    @Test func aDurableWriteCommitsWithFullAndTheWriterReturnsToNormal() throws {
        try withStore { store, _ in
            #expect(try store.synchronousLevel() == 1)
            let level = try store.durableWrite { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(level == 2)
            #expect(try store.synchronousLevel() == 1)
        }
    }

    @Test func aFailedDurableWriteRollsBackAndStillReturnsToNormal() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1)])
            #expect(throws: (any Error).self) {
                try store.durableWrite { db in
                    try db.execute(sql: "UPDATE trials SET status = 'done' WHERE trial_id = 't1'")
                    try db.execute(sql: "SELECT * FROM no_such_table")
                }
            }
            #expect(try store.trial(id: "t1")?.status == .queued)
            #expect(try store.synchronousLevel() == 1)
            // A result is such a write: recorded, and the writer is back at NORMAL after it.
            try store.markRunning(trialID: "t1", workerID: "w1", host: "h", leaseExpiresAt: time(60))
            #expect(try store.recordResult(doneResult("t1", attempt: 1, valLoss: 1.5)) == .recorded)
            #expect(try store.result(trialID: "t1")?.valLoss == 1.5)
            #expect(try store.synchronousLevel() == 1)
        }
    }
}
