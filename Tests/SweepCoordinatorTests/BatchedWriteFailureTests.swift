import Foundation
import GRDB
import SweepCoordinator
import SweepStore
import SweepTestSupport
import Testing

/// The coordinator commits a trial's bookkeeping in few transactions (queued writes, checkpoint rows
/// among them, ride with the next assignment or result). When such a transaction fails, all of it is rolled
/// back and retried; no result is acknowledged before it is on disk, none is lost and none is
/// recorded twice.
@Suite(.serialized) struct BatchedWriteFailureTests {
    @Test func resultsArrivingWhileSweepDBIsLockedAreRecordedOnceWithTheirWholeBookkeeping() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8, 16, 24, 32]}"#, epochs: 3, epochSeconds: 0.4, lostAfter: 30)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        _ = try harness.startWorker(endpoint, name: "w")
        let store = try SweepStore(path: harness.folder.database.path)
        // Locked while the first trial trains: its epochs, checkpoints and result arrive meanwhile.
        // Long enough that a commit waiting on the lock (the coordinator's busy timeout is 1 s, and
        // well over that on a loaded machine) gives up before it is released: a store failure for sure.
        #expect(try eventually(seconds: 20) { try store.allTrials().contains { $0.status == .running } })
        let lock = try ExternalWriteLock(on: harness.folder.database, seconds: 8)
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
            let rows = try store.checkpoints(trialID: trial.trialID)
            #expect(rows.allSatisfy { $0.attempt == result.attempt })
            // The files are the rows' files: none deleted while a row still named it (the rolled-back
            // transaction's), none left behind once no row names it.
            let folder = harness.folder.checkpoints.appendingPathComponent(trial.trialID)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).map { "checkpoints/\(trial.trialID)/\($0)" }
            #expect(Set(files) == Set(rows.map(\.path)), "\(files) against \(rows.map(\.path))")
        }
        let events = try store.tailEvents(limit: 10_000)
        #expect(events.contains { $0.kind == "store" && $0.message.contains("written again") })
        // Each result event once: the rolled-back transaction did not leave a copy behind.
        let resultEvents = events.filter { $0.kind == "result" }.compactMap(\.trialID)
        #expect(resultEvents.sorted() == trials.map(\.trialID).sorted())
    }
}
