import Foundation
import Testing
@testable import CharRNN

@Suite struct TrainingSessionTests {
    static func nextcharText() throws -> String {
        try String(contentsOf: dataDirectory().appendingPathComponent("nextchar.txt"), encoding: .utf8)
    }

    static func temporaryDirectory(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("charrnn-\(name)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    final class Recorder: TrainingObserver {
        var epochs: [EpochMetrics] = []
        var checkpoints: [(String, Int)] = []
        var polls = 0
        var cancelAfterPolls: Int?
        func epochEnded(_ metrics: EpochMetrics) { epochs.append(metrics) }
        var batches: [EpochProgress] = []
        func batchEnded(_ progress: EpochProgress) { batches.append(progress) }
        func checkpointWritten(path: String, epoch: Int) {
            #expect(FileManager.default.fileExists(atPath: path))
            checkpoints.append((path, epoch))
        }
        var encoded: [([UInt8], Int)] = []
        func checkpointEncoded(_ bytes: [UInt8], epoch: Int) { encoded.append((bytes, epoch)) }
        var isCancelled: Bool {
            polls += 1
            return cancelAfterPolls.map { polls > $0 } ?? false
        }
    }

    /// A small LSTM memorises the 2,386-character nextchar text (split none: validation = training).
    @Test func lstmMemorisesNextchar() throws {
        let session = try TrainingSession(
            text: try Self.nextcharText(), model: ModelConfig(vocabSize: 0, cell: .lstm, hiddenSize: 128),
            training: TrainingConfig(objective: .everyStep, sequenceLength: 32, batchSize: 8, epochs: 60, learningRate: 0.01),
            split: SplitSpec(kind: SplitKind.none), generation: GenerationConfig(length: 40, mode: .stateful), seed: 7)
        let recorder = Recorder()
        let report = try session.run(observer: recorder)
        #expect(report.status == .completed)
        #expect(report.metrics.epochsRun == 60 && recorder.epochs.count == 60)
        let last = try #require(report.metrics.history.last)
        #expect(last.valAccuracy >= 0.9, "accuracy \(last.valAccuracy) after \(report.metrics.epochsRun) epochs, loss \(last.valLoss)")
        #expect(abs(last.valPerplexity - exp(last.valLoss)) < 1e-9)
        #expect(report.metrics.bestEpoch == report.metrics.history.min { $0.valLoss < $1.valLoss }!.epoch)
        #expect(report.metrics.samples.count == 1 && report.metrics.samples[0].unicodeScalars.count == 32 + 40)
        #expect(report.parameters == session.model.config.parameterCount)
        #expect((report.metrics.trainingFlops ?? 0) > 0 && (report.metrics.tokensPerSecond ?? 0) > 0 && (report.metrics.msPerChar ?? 0) > 0)
        // The memorised model continues the text it was trained on (the prompt is its first 32 characters).
        #expect(session.corpus.text.hasPrefix(String(report.metrics.samples[0].prefix(36))), "sample: \(report.metrics.samples[0])")
    }

    @Test func hugeLearningRateDiverges() throws {
        let session = try TrainingSession(
            text: try Self.nextcharText(), model: ModelConfig(vocabSize: 0, cell: .rnn, hiddenSize: 16),
            training: TrainingConfig(sequenceLength: 8, batchSize: 16, epochs: 3, learningRate: 1e6, optimizer: .sgd),
            seed: 1)
        let report = try session.run()
        #expect(report.status == .diverged, "\(report.status) \(report.metrics.history)")
        #expect(report.metrics.message?.contains("non-finite") == true, "\(report.metrics.message ?? "")")
        #expect(report.metrics.samples.isEmpty)
        // The result object encodes with a plain encoder (no NaN in JSON).
        _ = try JSONEncoder().encode(report.metrics)
    }

    @Test func injectedNaNDiverges() throws {
        let session = try TrainingSession(
            text: try Self.nextcharText(), model: ModelConfig(vocabSize: 0, cell: .gru, hiddenSize: 8),
            training: TrainingConfig(sequenceLength: 8, batchSize: 4, epochs: 2, learningRate: 0.01), seed: 1)
        session.model.store.value("rnn.weight_hh_l0")[3] = .nan
        let report = try session.run()
        #expect(report.status == .diverged)
        #expect(report.metrics.epochsRun == 0 && report.metrics.valLoss == nil)
    }

    @Test func cancellationStopsBetweenBatches() throws {
        let session = try TrainingSession(
            text: try Self.nextcharText(), model: ModelConfig(vocabSize: 0, cell: .lstm, hiddenSize: 8),
            training: TrainingConfig(sequenceLength: 8, batchSize: 4, epochs: 5, learningRate: 0.01), seed: 1)
        let recorder = Recorder()
        recorder.cancelAfterPolls = 3
        let report = try session.run(observer: recorder)
        #expect(report.status == .cancelled)
        #expect(recorder.polls == 4 && report.metrics.epochsRun == 0)
    }

    @Test func maxBatchesPerEpochCapsTraining() throws {
        let session = try TrainingSession(
            text: try Self.nextcharText(), model: ModelConfig(vocabSize: 0, cell: .lstm, hiddenSize: 8),
            training: TrainingConfig(sequenceLength: 8, batchSize: 4, epochs: 1, learningRate: 0.01, maxBatchesPerEpoch: 3),
            generation: GenerationConfig(length: 5), seed: 1)
        let recorder = Recorder()
        let report = try session.run(observer: recorder)
        #expect(report.status == .completed)
        #expect(recorder.polls == 3)
        #expect(session.trainer.optimizer.step == 3)
    }

    /// The observer hears every training batch: its epoch, count so far, the epoch's batches, and
    /// the tokens trained (batch × sequence length each) with their time.
    @Test func everyTrainingBatchIsReportedWithItsEpochAndTokens() throws {
        let session = try TrainingSession(
            text: try Self.nextcharText(), model: ModelConfig(vocabSize: 0, cell: .gru, hiddenSize: 8),
            training: TrainingConfig(sequenceLength: 8, batchSize: 4, epochs: 2, learningRate: 0.01, maxBatchesPerEpoch: 5),
            generation: GenerationConfig(length: 5), seed: 1)
        let recorder = Recorder()
        #expect(try session.run(observer: recorder).status == .completed)
        #expect(recorder.batches.map(\.epoch) == [1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
        #expect(recorder.batches.map(\.batch) == [1, 2, 3, 4, 5, 1, 2, 3, 4, 5])
        #expect(recorder.batches.allSatisfy { $0.batches == 5 && $0.tokens == 32 * $0.batch && $0.seconds >= 0 })
        #expect(zip(recorder.batches, recorder.batches.dropFirst()).allSatisfy { $0.epoch != $1.epoch || $0.seconds <= $1.seconds })
    }

    static func resumeConfig(_ objective: Objective) -> (ModelConfig, TrainingConfig) {
        (ModelConfig(vocabSize: 0, cell: objective == .lastStep ? .gru : .lstm, layers: 2, hiddenSize: 12, fcLayers: 2,
                     batchNorm: true, dropout: 0.2, headDropout: 0.1),
         TrainingConfig(objective: objective, sequenceLength: 10, batchSize: 6, epochs: 2, learningRate: 0.005,
                        clipNorm: 1, maxBatchesPerEpoch: 25))
    }

    /// 2 epochs straight == 1 epoch → checkpoint → new session from the file → 1 more epoch, to the bit.
    @Test(arguments: [Objective.lastStep, .everyStep])
    func resumeIsBitExact(_ objective: Objective) throws {
        let text = try Self.nextcharText()
        let (model, training) = Self.resumeConfig(objective)
        let straight = try TrainingSession(text: text, model: model, training: training,
                                           generation: GenerationConfig(length: 20, temperature: 0.8), seed: 99)
        let straightReport = try straight.run()

        let dir = Self.temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var firstHalf = training
        firstHalf.epochs = 1
        let first = try TrainingSession(text: text, model: model, training: firstHalf,
                                        generation: GenerationConfig(length: 20, temperature: 0.8), seed: 99)
        let recorder = Recorder()
        _ = try first.run(observer: recorder, checkpointDirectory: dir)
        let path = try #require(recorder.checkpoints.last?.0)

        // Continue for the original epoch count: rewrite the training epochs in the checkpoint.
        var checkpoint = try TrainingCheckpoint.read(path: path)
        checkpoint.file.metadata["training"] = String(decoding: try JSONEncoder().encode(training), as: UTF8.self)
        try checkpoint.file.write(to: path)
        let resumed = try TrainingSession(resumingFrom: path, text: text)
        #expect(resumed.epochsCompleted == 1)
        let resumedReport = try resumed.run()

        let a = Array(UnsafeBufferPointer(start: straight.model.store.values, count: straight.model.store.count))
        let b = Array(UnsafeBufferPointer(start: resumed.model.store.values, count: resumed.model.store.count))
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        let bufA = Array(UnsafeBufferPointer(start: straight.model.store.bufferValues, count: straight.model.store.bufferCount))
        let bufB = Array(UnsafeBufferPointer(start: resumed.model.store.bufferValues, count: resumed.model.store.bufferCount))
        #expect(bufA.map(\.bitPattern) == bufB.map(\.bitPattern))
        #expect(straightReport.metrics.history.map(\.valLoss) == resumedReport.metrics.history.map(\.valLoss))
        #expect(straightReport.metrics.samples == resumedReport.metrics.samples)
    }

    /// `.observer` hands over the bytes `.directory` would write (same tensors, bit for bit, on the
    /// same seed), at the same epochs, and writes nothing.
    @Test func inMemoryCheckpointsAreTheFilesBytes() throws {
        let text = try Self.nextcharText()
        let (model, training) = Self.resumeConfig(.everyStep)
        func session() throws -> TrainingSession {
            try TrainingSession(text: text, model: model, training: training, seed: 5)
        }
        let inMemory = Recorder()
        _ = try session().run(observer: inMemory, checkpoints: .observer)
        let dir = Self.temporaryDirectory("in-memory")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let onDisk = Recorder()
        _ = try session().run(observer: onDisk, checkpoints: .directory(dir))

        #expect(inMemory.checkpoints.isEmpty && onDisk.encoded.isEmpty)
        #expect(inMemory.encoded.map(\.1) == [1, 2] && onDisk.checkpoints.map(\.1) == [1, 2])
        let memory = try SafeTensorsFile(bytes: try #require(inMemory.encoded.last?.0))
        let file = try SafeTensorsFile.read(path: try #require(onDisk.checkpoints.last?.0))
        #expect(!memory.tensors.isEmpty && memory.tensors == file.tensors)
        #expect(memory.metadata["format"] == file.metadata["format"])
    }

    @Test func checkpointHoldsPyTorchNamesAndMetadata() throws {
        let (model, training) = Self.resumeConfig(.lastStep)
        let session = try TrainingSession(text: try Self.nextcharText(), model: model, training: training, seed: 3)
        let file = try session.checkpoint().file
        let stateDict = session.model.store.stateDictOrder.map(\.name)
        #expect(Array(file.names.prefix(stateDict.count)) == stateDict)
        #expect(file.names.contains("__adam__.m.rnn.weight_ih_l0") && file.names.contains("__adam__.v.fc.4.bias"))
        #expect(file["fc.1.num_batches_tracked"]?.dtype == .I64 && file["fc.1.num_batches_tracked"]?.shape == [])
        for key in ["format", "config", "training", "split", "dataset", "generate", "vocabulary", "seed", "state"] {
            #expect(file.metadata[key] != nil, "metadata \(key)")
        }
        let config = try JSONDecoder().decode(ModelConfig.self, from: Data(file.metadata["config"]!.utf8))
        #expect(config == session.model.config)
    }

    @Test func damagedCheckpointsAreClearErrors() throws {
        let (model, training) = Self.resumeConfig(.lastStep)
        let text = try Self.nextcharText()
        let session = try TrainingSession(text: text, model: model, training: training, seed: 3)
        let dir = Self.temporaryDirectory("damaged")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = try session.checkpoint().file
        let bytes = good.encoded()

        let truncated = dir + "/truncated.safetensors"
        try Data(bytes.prefix(bytes.count - 100)).write(to: URL(fileURLWithPath: truncated))
        #expect { try TrainingSession(resumingFrom: truncated, text: text) } throws: { error in
            "\(error)".contains("truncated.safetensors")
        }

        var noState = good
        noState.metadata["state"] = nil
        try noState.write(to: dir + "/nostate.safetensors")
        #expect(throws: CheckpointError.self) { try TrainingSession(resumingFrom: dir + "/nostate.safetensors", text: text) }

        var missing = good
        missing.tensors.removeAll { $0.name == "__adam__.v.rnn.weight_hh_l1" }
        try missing.write(to: dir + "/missing.safetensors")
        #expect { try TrainingSession(resumingFrom: dir + "/missing.safetensors", text: text) } throws: { error in
            (error as? CheckpointError)?.problem.contains("__adam__.v.rnn.weight_hh_l1") == true
        }

        #expect(throws: (any Error).self) { try TrainingSession(resumingFrom: dir + "/absent.safetensors", text: text) }
    }

    @Test func resultObjectEncodesSnakeCase() throws {
        let session = try TrainingSession(
            text: try Self.nextcharText(), model: ModelConfig(vocabSize: 0, cell: .rnn, hiddenSize: 8),
            training: TrainingConfig(sequenceLength: 8, batchSize: 4, epochs: 1, learningRate: 0.01, maxBatchesPerEpoch: 2),
            generation: GenerationConfig(length: 10, prompts: ["the "]), seed: 1)
        let report = try session.run()
        let json = String(decoding: try JSONEncoder().encode(report.metrics), as: UTF8.self)
        for key in ["\"epochs_run\":1", "\"best_epoch\":1", "\"overfit_pct\"", "\"inference_seconds_per_1000\"",
                    "\"ms_per_char\"", "\"size_mb\"", "\"macs_per_char\"", "\"training_flops\"", "\"tokens_per_second\"",
                    "\"val_perplexity\"", "\"training_seconds\"", "\"samples\""] {
            #expect(json.contains(key), "\(key) in \(json.prefix(300))")
        }
        #expect(report.metrics.samples == [report.metrics.samples[0]] && report.metrics.samples[0].hasPrefix("the "))
    }

    @Test func badConfigurationsNameTheField() throws {
        let text = try Self.nextcharText()
        #expect { try TrainingSession(text: text, model: ModelConfig(vocabSize: 0, cell: .rnn, hiddenSize: 8),
                                      training: TrainingConfig(sequenceLength: 0, batchSize: 4, epochs: 1, learningRate: 0.01), seed: 1)
        } throws: { ($0 as? ModelConfigError)?.field == "sequence_length" }
        #expect { try TrainingSession(text: text, model: ModelConfig(vocabSize: 0, cell: .rnn, hiddenSize: 8),
                                      training: TrainingConfig(sequenceLength: 8, batchSize: 4, epochs: 1, learningRate: 0.01),
                                      generation: GenerationConfig(prompts: ["€uro"]), seed: 1)
        } throws: { ($0 as? ModelConfigError)?.field == "generate.prompts[0]" }
    }
}
