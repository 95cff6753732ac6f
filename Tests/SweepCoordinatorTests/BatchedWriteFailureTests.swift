import Foundation
import GRDB
import SweepCoordinator
import SweepStore
import SweepTestSupport
import Testing

/// The coordinator commits a trial's bookkeeping in few transactions (queued writes ride with the
/// next assignment, checkpoint row or result). When such a transaction fails, all of it is rolled
/// back and retried; no result is acknowledged before it is on disk, none is lost and none is
/// recorded twice.
@Suite(.serialized) struct BatchedWriteFailureTests {
    @Test func resultsArrivingWhileSweepDBIsLockedAreRecordedOnceWithTheirWholeBookkeeping() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8, 16, 24, 32]}"#, epochs: 3, epochSeconds: 0.4, lostAfter: 30)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        _ = try harness.startWorker(endpoint, name: "w")
        let store = try SweepStore(path: harness.folder.database.path)
        // Locked while the first trial trains: its epochs, checkpoints and result arrive meanwhile.
        #expect(try eventually(seconds: 20) { try store.allTrials().contains { $0.status == .running } })
        let lock = try ExternalWriteLock(on: harness.folder.database, seconds: 4)
        #expect(finished.wait(seconds: 60) == true)
        #expect(lock.released.wait(seconds: 1) == true)

        let trials = try store.allTrials()
        #expect(trials.allSatisfy { $0.status == .done }, "\(trials.map(\.status))")
        for trial in trials {
            // One result, from the attempt whose curve and checkpoints the trial keeps.
            let result = try #require(try store.result(trialID: trial.trialID))
            let attempts = try store.attempts(trialID: trial.trialID)
            let producer = try #require(attempts.first { $0.attempt == result.attempt })
            #expect(producer.outcome == "done")
            #expect(producer.endedAt != nil)
            #expect(try store.epochs(trialID: trial.trialID).map(\.epoch) == [1, 2, 3])
            #expect(try store.checkpoints(trialID: trial.trialID).allSatisfy { $0.attempt == result.attempt })
        }
        let events = try store.tailEvents(limit: 10_000)
        #expect(events.contains { $0.kind == "store" && $0.message.contains("written again") })
        // Each result event once: the rolled-back transaction did not leave a copy behind.
        let resultEvents = events.filter { $0.kind == "result" }.compactMap(\.trialID)
        #expect(resultEvents.sorted() == trials.map(\.trialID).sorted())
    }
}
