import Foundation
import SweepStore
import Testing

@Suite struct StoreOpeningTests {
    @Test func freshFileGetsEveryMigrationAndReopensUnchanged() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let nested = folder.path + "/runs/shakespeare/sweep.db"
        do {
            let store = try SweepStore(path: nested)
            #expect(try store.appliedMigrations() == ["v1-initial", "v2-leases", "v3-retry-budget", "v4-train-accuracy", "v5-trial-progress", "v6-stopped-status", "v7-checkpoint-paths", "v8-progress-threads"])
            try store.insertTrials([shakespeareTrial(1)])
        }
        #expect(FileManager.default.fileExists(atPath: nested))
        let reopened = try SweepStore(path: nested)
        #expect(try reopened.appliedMigrations() == ["v1-initial", "v2-leases", "v3-retry-budget", "v4-train-accuracy", "v5-trial-progress", "v6-stopped-status", "v7-checkpoint-paths", "v8-progress-threads"])
        #expect(try reopened.trial(id: "t1")?.status == .queued)
    }

    @Test func databaseIsInWALMode() throws {
        try withStore { store, folder in
            #expect(try store.journalMode() == "wal")
            // NORMAL between durable writes: only results pay for an fsync.
            #expect(try store.synchronousLevel() == 1)
            try store.insertTrials([shakespeareTrial(1)])
            #expect(FileManager.default.fileExists(atPath: folder.databasePath + "-wal"))
        }
    }

    @Test func changedSpecIsDetectedAndNotOverwritten() throws {
        try withStore { store, _ in
            #expect(try store.openSweep(name: "shakespeare", specHash: "aaa", specJSON: "{}", at: time(0)) == .created)
            #expect(try store.openSweep(name: "shakespeare", specHash: "aaa", specJSON: "{}", at: time(1)) == .unchanged)
            #expect(try store.openSweep(name: "shakespeare", specHash: "bbb", specJSON: #"{"x":1}"#, at: time(2))
                == .changed(storedHash: "aaa"))
            #expect(try store.sweep(named: "shakespeare")?.specHash == "aaa")

            try store.replaceSpec(name: "shakespeare", specHash: "bbb", specJSON: #"{"x":1}"#, at: time(3))
            let sweep = try #require(try store.sweep(named: "shakespeare"))
            #expect(sweep.specHash == "bbb")
            #expect(sweep.specJSON == #"{"x":1}"#)
            #expect(sweep.createdAt == time(0))
            #expect(sweep.updatedAt == time(3))
            #expect(try store.openSweep(name: "shakespeare", specHash: "bbb", specJSON: "{}") == .unchanged)
        }
    }

    @Test func removeDatabaseDeletesFileAndCompanions() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        do {
            let store = try SweepStore(path: folder.databasePath)
            try store.insertTrials([shakespeareTrial(1)])
        }
        try SweepStore.removeDatabase(at: folder.databasePath)
        #expect(try folder.contents().filter { $0.hasPrefix("sweep.db") }.isEmpty)
        let fresh = try SweepStore(path: folder.databasePath)
        #expect(try fresh.allTrials().isEmpty)
    }
}
