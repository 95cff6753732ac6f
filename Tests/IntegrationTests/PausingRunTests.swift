import Foundation
import SweepStore
import SweepTestSupport
import Testing

/// Pausing at the tail end to end: a real coordinator with its two local workers and three equal
/// trials. When the third waits for a core, one running trial is paused after a stored checkpoint,
/// the third starts in its place, and the paused one resumes from that checkpoint on the next free
/// core: every epoch trained once, every trial done.
@Suite(.serialized)
struct PausingRunTests {
    @Test func aRunningTrialIsPausedForTheWaitingOneAndResumesFromItsCheckpoint() throws {
        let folder = try temporaryFolder("pausing")
        defer { if ProcessInfo.processInfo.environment["KEEP"] == nil { try? FileManager.default.removeItem(at: folder) } }
        let sweep = try SweepFiles.write(name: "pausing", in: folder, grid: #"{"learning_rate": [0.01, 0.011, 0.012]}"#,
                                         epochs: 6, batches: 200, learningRate: nil, hidden: 128, sequence: 32, batchSize: 32)
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "2", "--runs", folder.path],
                            in: folder, name: "coordinator")
        #expect(run.wait(seconds: 300) == 0, "coordinator: \(run.stderr.suffix(2000))")
        let store = try SweepStore(path: folder.appendingPathComponent("runs/pausing/sweep.db").path)

        let events = try store.tailEvents(limit: 1000)
        let pauses = events.filter { $0.kind == "pause" }
        #expect(!pauses.isEmpty, "no trial was paused; events: \(events.map(\.message).suffix(40))")
        for trial in try store.allTrials() {
            #expect(trial.status == .done)
            let result = try #require(try store.result(trialID: trial.trialID))
            #expect(result.epochsRun == 6)
            let attempts = try store.attempts(trialID: trial.trialID)
            let epochs = try store.epochs(trialID: trial.trialID)
            #expect(epochs.map(\.epoch) == Array(1...6))
            // Each paused attempt ended at a stored checkpoint, and the next attempt went on from it.
            for paused in attempts where paused.outcome == "paused" {
                let epoch = try #require(epochs.filter { $0.attempt == paused.attempt }.map(\.epoch).max())
                #expect(pauses.contains { $0.trialID == trial.trialID && $0.message.contains("attempt \(paused.attempt) paused after epoch \(epoch):") })
                #expect(events.contains { $0.kind == "assign" && $0.trialID == trial.trialID
                    && $0.message.contains("attempt \(paused.attempt + 1) → ") && $0.message.hasSuffix("from epoch \(epoch)") })
                #expect(epochs.filter { $0.epoch > epoch }.allSatisfy { $0.attempt > paused.attempt })
            }
            #expect(attempts.last?.outcome == "done")
        }
        #expect(try store.allTrials().contains { $0.attempts > 1 })
    }
}
