import Foundation
import SweepTestSupport
import SweepCoordinator
import SweepStore
@testable import SweepWorker
import Testing
import TrialSpec

/// Checkpoints are checked on arrival and before a resume; an unusable one never turns a trial
/// into a config error, and the best checkpoint survives resumes.
@Suite(.serialized) struct CheckpointTrustTests {
    @Test func aCheckpointThatIsNotTheEpochItClaimsIsRejectedOnArrival() async throws {
        let harness = try ServiceHarness(grid: #"{"learning_rate": [0.25]}"#, epochs: 3)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        _ = try harness.startWorker(endpoint, name: "broken")
        #expect(finished.wait(seconds: 30) == true)
        let store = try SweepStore(path: harness.folder.database.path)
        let trial = try #require(try store.allTrials().first)
        #expect(trial.status == .done)
        // Only epoch 1's checkpoint was genuine; epochs 2 and 3 were refused and not kept.
        #expect(try store.checkpoints(trialID: trial.trialID).map(\.epoch) == [1])
        let files = try FileManager.default.contentsOfDirectory(
            atPath: harness.folder.checkpoints.appendingPathComponent(trial.trialID).path)
        #expect(files == ["epoch-1-attempt-1.safetensors"])
        let events = try store.events(afterID: 0, limit: 10_000).filter { $0.kind == "checkpoint" }.map(\.message)
        #expect(events.filter { $0.contains("rejected") && $0.contains("holds epoch") }.count == 2, "\(events)")
    }

    @Test func aCheckpointDamagedOnDiskBeforeAResumeStartsTheTrialOverAndItFinishes() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#, epochs: 6, epochSeconds: 0.3, lostAfter: 2)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        _ = try harness.startWorker(endpoint, name: "doomed")
        let store = try SweepStore(path: harness.folder.database.path)
        let trialID = try #require(try store.allTrials().first?.trialID)
        #expect(try eventually(seconds: 10) { (try store.latestCheckpoint(trialID: trialID)?.epoch ?? 0) >= 2 })
        harness.freeze("doomed")
        for checkpoint in try store.checkpoints(trialID: trialID) {
            try Data("not a checkpoint".utf8).write(to: harness.folder.absolute(checkpoint.path))
        }
        _ = try harness.startWorker(endpoint, name: "rescuer")
        #expect(finished.wait(seconds: 30) == true)
        let trial = try #require(try store.trial(id: trialID))
        #expect(trial.status == .done)
        #expect(trial.attempts == 2)
        #expect(harness.trainer.firstEpochs(trialID).last == 1)   // started over
    }

    @Test func aCheckpointTheTrainerCannotResumeIsAnInfraFailureNotAConfigError() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let harness = try ServiceHarness()
        let trial = try #require(try await RunSetup.prepare(harness.options).trials.first)
        let text = folder.appendingPathComponent("text.txt")
        try Data(String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 40).utf8).write(to: text)
        let bogus = folder.appendingPathComponent("bogus.safetensors")
        try Data([8, 0, 0, 0, 0, 0, 0, 0] + Array("{\"a\":1}".utf8)).write(to: bogus)
        let job = TrialJob(trialID: trial.id, trialNumber: trial.number, attempt: 2, seed: trial.seed, config: trial.config,
                           datasetFile: text, resumeFrom: bogus, scratch: folder)
        let end = CharRNNTrialTrainer().run(job, events: Recorder())
        guard case .infra(let message, let workerFault) = end else {
            Issue.record("expected an infra failure, got \(end)")
            return
        }
        #expect(message.contains("cannot resume") && !workerFault)
    }

    @Test func aResumedTrialsCheckpointIsBestOnlyIfItBeatsTheHistory() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("best-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let harness = try ServiceHarness(epochs: 4)
        let trial = try #require(try await RunSetup.prepare(harness.options).trials.first)
        let text = folder.appendingPathComponent("text.txt")
        try Data(String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 40).utf8).write(to: text)
        // A real run, then a resume from its epoch-2 checkpoint.
        let first = Recorder()
        _ = CharRNNTrialTrainer().run(TrialJob(trialID: trial.id, trialNumber: trial.number, attempt: 1, seed: trial.seed,
                                               config: trial.config, datasetFile: text, resumeFrom: nil, scratch: folder),
                                      events: first)
        let epoch2 = folder.appendingPathComponent("epoch-2.safetensors")
        try Data(try #require(first.checkpoints[2])).write(to: epoch2)
        let second = Recorder()
        _ = CharRNNTrialTrainer().run(TrialJob(trialID: trial.id, trialNumber: trial.number, attempt: 2, seed: trial.seed,
                                               config: trial.config, datasetFile: text, resumeFrom: epoch2, scratch: folder),
                                      events: second)
        let bestSoFar = first.valLosses.prefix(2).min()
        #expect(second.resumedBest == bestSoFar)

        // The worker's mailbox flags a checkpoint as best only if it beats that.
        let mailbox = RunnerMailbox(trialID: trial.id, attempt: 2, clock: { 0 })
        mailbox.resumed(bestValLoss: 1.0)
        for loss in [2.0, 0.5, 0.7] {
            mailbox.epochEnded(TrialSpec.EpochMetrics(epoch: 3, trainLoss: loss, trainAccuracy: 0, valLoss: loss, valAccuracy: 0,
                                                      valPerplexity: 1, seconds: 1, tokensPerSecond: 1))
            mailbox.checkpointEncoded([1], epoch: 3)
        }
        let flags = mailbox.take().compactMap { note -> Bool? in
            if case .checkpoint(_, _, _, _, let isBest) = note { return isBest }
            return nil
        }
        #expect(flags == [false, true, false])
    }

    private final class Recorder: TrialEvents, @unchecked Sendable {
        var checkpoints: [Int: [UInt8]] = [:]
        var valLosses: [Double] = []
        var resumedBest: Double?
        func epochEnded(_ record: TrialSpec.EpochMetrics) { valLosses.append(record.valLoss) }
        func checkpointEncoded(_ bytes: [UInt8], epoch: Int) { checkpoints[epoch] = bytes }
        func resumed(bestValLoss: Double?) { resumedBest = bestValLoss }
        var isCancelled: Bool { false }
    }
}
