import CharRNN
import Foundation
import SweepCore
@testable import SweepCoordinator
import SweepWorker
import Testing

/// The coordinator's checkpoint inspection restores a whole training session only for the first
/// checkpoint of each kind and holds later ones against the layout that proved. Both ways must
/// reject what loading the checkpoint the way a resuming worker does rejects (and, beyond that,
/// values that are not finite), on genuine checkpoints of a real run damaged one way each.
@Suite(.serialized) struct CheckpointInspectionTests {
    struct Fixture {
        let folder: URL
        let text: String
        let trial: Trial
        let epochs: [Int: [UInt8]]

        init() async throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            text = String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 40)
            let textFile = folder.appendingPathComponent("text.txt")
            try Data(text.utf8).write(to: textFile)
            let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#, epochs: 2)
            trial = try #require(try await RunSetup.prepare(harness.options).trials.first)
            let job = TrialJob(trialID: trial.id, trialNumber: trial.number, attempt: 1, seed: trial.seed, config: trial.config,
                               datasetFile: textFile, resumeFrom: nil, scratch: folder)
            epochs = RealCheckpoints.byEpoch(for: job)
        }

        func write(_ bytes: [UInt8], _ name: String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }

        /// The inspection before layouts: the checkpoint's settings compared, then a whole session
        /// built and every tensor restored.
        func fullRestoreRejects(_ path: String, epoch: Int) -> Bool {
            guard let checkpoint = try? TrainingCheckpoint.read(path: path) else { return true }
            var model = trial.config.model
            model.vocabSize = checkpoint.model.vocabSize
            var training = trial.config.training
            training.seed = checkpoint.training.seed
            training.maxAttempts = checkpoint.training.maxAttempts
            training.threads = checkpoint.training.threads
            guard checkpoint.model == model, checkpoint.training == training, checkpoint.split == trial.config.split,
                  checkpoint.seed == trial.seed, checkpoint.state.epoch == epoch else { return true }
            return (try? TrainingSession(resumingFrom: path, text: text)) == nil
        }
    }

    /// Damages a genuine checkpoint's tensors or metadata and encodes it again.
    static func damaged(_ bytes: [UInt8], _ change: (inout SafeTensorsFile) throws -> Void) throws -> [UInt8] {
        var file = try SafeTensorsFile(bytes: bytes)
        try change(&file)
        return file.encoded()
    }

    static func replaceFirstFloatTensor(_ file: inout SafeTensorsFile, _ make: (TensorEntry) throws -> TensorEntry) throws {
        let index = try #require(file.tensors.firstIndex { $0.dtype == .F32 && $0.elementCount > 1 && !$0.name.hasPrefix("__") })
        file.tensors[index] = try make(file.tensors[index])
    }

    @Test func damagedCheckpointsAreRejectedWhetherOrNotTheirLayoutIsProven() async throws {
        let fixture = try await Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let good = try #require(fixture.epochs[1])
        var cases: [(String, [UInt8])] = []
        cases.append(("truncated", Array(good.prefix(good.count / 2))))
        cases.append(("a tensor missing", try Self.damaged(good) { file in
            let index = try #require(file.tensors.firstIndex { !$0.name.hasPrefix("__") })
            file.tensors.remove(at: index)
        }))
        cases.append(("a tensor of another shape", try Self.damaged(good) { file in
            try Self.replaceFirstFloatTensor(&file) { entry in
                try TensorEntry(name: entry.name, dtype: .F32, shape: [entry.elementCount], data: entry.data)
            }
        }))
        cases.append(("a tensor of another dtype", try Self.damaged(good) { file in
            try Self.replaceFirstFloatTensor(&file) { entry in
                try TensorEntry(name: entry.name, dtype: .I32, shape: entry.shape, data: entry.data)
            }
        }))
        cases.append(("the optimizer state missing", try Self.damaged(good) { file in
            file.tensors.removeAll { $0.name.hasPrefix("__adam__.m.") }
        }))
        cases.append(("another hidden size", try Self.damaged(good) { file in
            let config = try #require(file.metadata["config"])
            file.metadata["config"] = config.replacingOccurrences(of: "\"hidden_size\":8", with: "\"hidden_size\":9")
        }))
        cases.append(("a vocabulary the text does not fit", try Self.damaged(good) { file in
            let vocabulary = try #require(file.metadata["vocabulary"])
            file.metadata["vocabulary"] = vocabulary.replacingOccurrences(of: "q", with: "Q")
        }))
        cases.append(("another format", try Self.damaged(good) { file in file.metadata["format"] = "rnnsweep-checkpoint/0" }))

        let goodPath = try fixture.write(good, "good.safetensors")
        #expect(!fixture.fullRestoreRejects(goodPath, epoch: 1))
        for (what, bytes) in cases {
            let path = try fixture.write(bytes, "\(what).safetensors")
            #expect(fixture.fullRestoreRejects(path, epoch: 1), "a full restore accepts a checkpoint with \(what)")
            // First of its kind: the full restore runs.
            let fresh = CheckpointInspector(text: fixture.text)
            #expect(throws: CheckpointInspector.Rejection.self, "\(what), layout not proven") {
                try fresh.check(path: path, trial: fixture.trial, epoch: 1)
            }
            // After a good checkpoint proved the layout: held against it.
            let warmed = CheckpointInspector(text: fixture.text)
            try warmed.check(path: goodPath, trial: fixture.trial, epoch: 1)
            #expect(throws: CheckpointInspector.Rejection.self, "\(what), layout proven") {
                try warmed.check(path: path, trial: fixture.trial, epoch: 1)
            }
        }
        // The wrong epoch, either way.
        let second = CheckpointInspector(text: fixture.text)
        #expect(throws: CheckpointInspector.Rejection.self) { try second.check(path: goodPath, trial: fixture.trial, epoch: 2) }
    }

    @Test func aProvenLayoutSparesTheFullRestoreOfLaterCheckpointsAndTheyPass() async throws {
        let fixture = try await Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let inspector = CheckpointInspector(text: fixture.text)
        for epoch in [1, 2] {
            let path = try fixture.write(try #require(fixture.epochs[epoch]), "epoch-\(epoch).safetensors")
            try inspector.check(path: path, trial: fixture.trial, epoch: epoch)
            try inspector.check(path: path, trial: fixture.trial, epoch: epoch)
        }
        #expect(inspector.fullChecks == 1)
    }

    @Test func aValueThatIsNotFiniteIsRejectedThoughAFullRestoreWouldLoadIt() async throws {
        let fixture = try await Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let good = try #require(fixture.epochs[1])
        let poisoned = try Self.damaged(good) { file in
            try Self.replaceFirstFloatTensor(&file) { entry in
                var values = try entry.float32()
                values[values.count - 1] = .nan
                return try TensorEntry(name: entry.name, shape: entry.shape, float32: values)
            }
        }
        let path = try fixture.write(poisoned, "nan.safetensors")
        #expect(!fixture.fullRestoreRejects(path, epoch: 1))
        let inspector = CheckpointInspector(text: fixture.text)
        #expect(throws: CheckpointInspector.Rejection.self) { try inspector.check(path: path, trial: fixture.trial, epoch: 1) }
        try inspector.check(path: try fixture.write(good, "good.safetensors"), trial: fixture.trial, epoch: 1)
        #expect(throws: CheckpointInspector.Rejection.self) { try inspector.check(path: path, trial: fixture.trial, epoch: 1) }
    }
}
