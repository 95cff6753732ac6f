import Foundation
import GRDB
import SweepCoordinator
import SweepStore
import Testing

/// sweep.db that cannot be written for a while: memory and disk never disagree, work waits, and
/// resumes when the writes go through again.
@Suite(.serialized) struct StoreFailureTests {
    @Test func anAssignmentWaitsOutAnotherProcesssWriteLockAndTheSweepFinishes() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8, 16]}"#, epochs: 2)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        // Another process takes the write lock before any worker is ready, and keeps it 4 s.
        let lock = try ExternalWriteLock(on: harness.folder.database, seconds: 4)
        let lockedAt = try #require(lock.locked.wait(seconds: 15), "the test could not take the write lock")
        _ = try harness.startWorker(endpoint, name: "w")
        #expect(finished.wait(seconds: 40) == true)
        #expect(lock.released.wait(seconds: 1) == true)
        let store = try SweepStore(path: harness.folder.database.path)
        let trials = try store.allTrials()
        #expect(trials.allSatisfy { $0.status == .done && $0.attempts == 1 }, "\(trials.map { ($0.status, $0.attempts) })")
        // Nothing was assigned while the lock was held, and the store says when it came back.
        let starts = try trials.flatMap { try store.attempts(trialID: $0.trialID) }.map(\.startedAt)
        #expect(starts.allSatisfy { $0.timeIntervalSince(lockedAt) >= 3.5 }, "\(starts.map { $0.timeIntervalSince(lockedAt) })")
        #expect(try store.tailEvents(limit: 500).contains { $0.kind == "store" && $0.message.contains("written again") })
    }
}
