import CharRNN
import Foundation
import SweepCore
import SweepTestSupport
import Testing

/// The sweep files that run the original reports' protocols: each validates, plans the reports'
/// number of trials, and builds the reports' models (parameter counts and sizes equal to their
/// tables, the d2l vocabulary of 28 symbols over 173,428 tokens), with the real trainer's corpus.
@Suite struct ReportProtocolSweepTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var dataDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["RNNSWEEP_DATA_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    static func sweep(_ name: String) throws -> SweepFile {
        try SweepFile(contentsOf: packageRoot.appendingPathComponent("sweeps/\(name)"), file: "sweeps/\(name)")
    }

    static func dataText(_ file: String) throws -> String {
        try String(contentsOf: dataDirectory.appendingPathComponent(file), encoding: .utf8)
    }

    /// A report table (CRLF, quoted fields) as rows of column -> value.
    static func table(_ file: String) throws -> [[String: String]] {
        let text = try dataText(file).replacingOccurrences(of: "\r\n", with: "\n")
        let table = CSVTable.parse(text)
        return table.rows.filter { $0.count == table.header.count }.map { Dictionary(uniqueKeysWithValues: zip(table.header, $0)) }
    }

    /// Trial configs with the vocabulary size the trainer gives them for `text`.
    static func models(_ sweep: SweepFile, text: String, unknownToken: Bool = false) -> [ModelConfig] {
        let corpus = Corpus(text: text, preprocessing: sweep.dataset.preprocess, unknownToken: unknownToken)
        let settings = DatasetSettings(name: "x", sha256: "", preprocess: sweep.dataset.preprocess, unkToken: sweep.dataset.unkToken)
        return sweep.trials(dataset: settings).sorted { $0.number < $1.number }.map {
            var model = $0.config.model
            model.vocabSize = corpus.vocabulary.count
            return model
        }
    }

    @Test func problemOneHasTheReportsNineModelsAndParameterCounts() throws {
        let sweep = try Self.sweep("seed004-p1.json")
        #expect(sweep.trialCount == 9)
        let text = try String(contentsOf: Self.packageRoot.appendingPathComponent("sweeps/texts/nextchar-jhaywoo6.txt"), encoding: .utf8)
        #expect(text == (try Self.dataText("nextchar_jhaywoo6.txt")))
        let models = Self.models(sweep, text: text)
        #expect(models.first?.vocabSize == 46)
        #expect(models.map(\.parameterCount) == [155_182, 549_934, 418_350, 155_182, 549_934, 418_350, 155_182, 549_934, 418_350])
        let reference = try Self.table("model_results_prob1.csv")
        #expect(reference.count == 9)
        for (model, row) in zip(models, reference) {
            #expect(String(model.parameterCount) == row["Parameters"])
            #expect(abs(model.sizeMB - (Double(row["Size (MB)"] ?? "") ?? -1)) < 1e-12)
        }
        let trials = sweep.trials(dataset: DatasetSettings(name: "x", sha256: ""))
        #expect(trials.allSatisfy { $0.config.training.fullBatch && $0.config.training.objective == .lastStep && $0.config.training.epochs == 100 })
        #expect(trials.map(\.config.training.sequenceLength) == [10, 10, 10, 20, 20, 20, 30, 30, 30])
        #expect(sweep.split == SplitSpec(kind: .random, fraction: 0.2))
    }

    @Test func problemOneTrainsOneFullBatchStepPerEpoch() throws {
        let sweep = try Self.sweep("seed004-p1.json")
        let text = try String(contentsOf: Self.packageRoot.appendingPathComponent("sweeps/texts/nextchar-jhaywoo6.txt"), encoding: .utf8)
        var trial = try #require(sweep.trials(dataset: DatasetSettings(name: "x", sha256: "")).first).config
        trial.training.epochs = 2
        let session = try TrainingSession(text: text, model: trial.model, training: trial.training, split: sweep.split,
                                          generation: sweep.generate, seed: 1)
        let report = try session.run(checkpoints: nil)
        #expect(report.status == .completed)
        // 2440 windows of L 10; the random 80/20 split trains on 1952 of them, all in one batch.
        let checkpoint = try session.checkpoint()
        #expect(checkpoint.state.step == 2)
        #expect(checkpoint.training.fullBatch)
    }

    @Test func theShakespeareGridMatchesTheReportsTableAndPrompt() throws {
        let sweep = try Self.sweep("seed004.json")
        #expect(sweep.trialCount == 54)
        let models = Self.models(sweep, text: try Self.dataText("tinyshakespeare.txt"))
        let reference = try Self.table("model_results_spear.csv")
        #expect(reference.count == 54)
        let trials = sweep.trials(dataset: DatasetSettings(name: "x", sha256: "")).sorted { $0.number < $1.number }
        for (index, row) in reference.enumerated() {
            let trial = trials[index], model = models[index]
            #expect(trial.config.model.cell.rawValue.uppercased() == row["RNN Type"])
            #expect(String(trial.config.training.sequenceLength) == row["Sequence Length"])
            #expect(String(model.hiddenSize) == row["Hidden Size"])
            #expect(String(model.fcLayers) == row["Fully Connected Layers"])
            #expect(String(model.parameterCount) == row["Parameters"], "trial \(index + 1)")
        }
        let prompt = try #require(sweep.generate.prompts.first)
        #expect(prompt == (try Self.dataText("seed004_prompt_warwick.txt")))
        #expect(prompt.unicodeScalars.count == 544)
        #expect(prompt.hasPrefix("\n        WARWICK:\n        So much his friend"))
        #expect(sweep.generate.length == 1000 && sweep.generate.mode == .window)
        // Every published sample starts with this prompt (after CRLF -> LF).
        #expect(reference.allSatisfy { ($0["Predicted next character"] ?? "").hasPrefix(prompt) })
        #expect(models.allSatisfy { $0.headNames == .moduleList && $0.headActivation == .afterFirst })
    }

    @Test func theTimeMachineSweepsUseD2LsVocabularyAndWindows() throws {
        let text = try Self.dataText("timemachine.txt")
        let corpus = Corpus(text: text, preprocessing: .lettersLowercase, unknownToken: true)
        #expect(corpus.tokens.count == 173_428)
        #expect(corpus.vocabulary.count == 28)
        #expect(corpus.vocabulary.unknownID == 1)

        let hidden = try Self.sweep("d2l-timemachine.json")
        #expect(hidden.trialCount == 10)
        #expect(hidden.dataset.unkToken && hidden.dataset.preprocess == .lettersLowercase)
        #expect(hidden.split == SplitSpec(kind: .windows, trainWindows: 10_000, validationWindows: 5_000))
        let models = Self.models(hidden, text: text, unknownToken: true)
        #expect(models.allSatisfy { $0.vocabSize == 28 && $0.input == .oneHot })
        // GRU then LSTM at H 8, 16, 32, 64, 128: G·H·(28 + H + 2) + H·28 + 28.
        #expect(models.map(\.parameterCount) == [1_164, 2_684, 6_876, 19_868, 64_284, 1_468, 3_420, 8_860, 25_884, 84_508])
        let hiddenDataset = try #require(hidden.registryDataset())
        let trials = hidden.trials(dataset: hiddenDataset)
        #expect(trials.allSatisfy {
            $0.config.training.objective == .windowEveryStep && $0.config.training.learningRate == 4
                && $0.config.training.batchSize == 1024 && $0.config.training.clipNorm == 1 && $0.config.training.epochs == 50
                && $0.config.training.optimizer == .sgd && $0.config.dataset.unkToken
        })

        let rnn = try Self.sweep("d2l-rnn.json")
        #expect(rnn.trialCount == 1)
        #expect(Self.models(rnn, text: text, unknownToken: true).map(\.parameterCount) == [64 * (28 + 64 + 2) + 64 * 28 + 28])

        let deep = try Self.sweep("d2l-deep.json")
        #expect(deep.trialCount == 4)
        let deepModels = Self.models(deep, text: text, unknownToken: true)
        #expect(deepModels.map(\.layers) == [3, 5, 3, 5])
        #expect(deepModels.allSatisfy { $0.hiddenSize == 32 && $0.dropout == 0.5 })
        let deepDataset = try #require(deep.registryDataset())
        #expect(deep.trials(dataset: deepDataset).allSatisfy { $0.config.training.learningRate == 2 })
    }

    @Test func theD2LSplitTrainsTheFirstTenThousandWindowsAtEveryStep() throws {
        let text = try Self.dataText("timemachine.txt")
        let sweep = try Self.sweep("d2l-rnn.json")
        let dataset = try #require(sweep.registryDataset())
        var trial = try #require(sweep.trials(dataset: dataset).first).config
        trial.training.epochs = 1
        let session = try TrainingSession(text: text, preprocessing: .lettersLowercase, unknownToken: true, model: trial.model,
                                          training: trial.training, split: sweep.split, generation: sweep.generate, seed: 3)
        let report = try session.run(checkpoints: nil)
        #expect(report.status == .completed)
        // ceil(10,000 / 1024) = 10 SGD steps in the epoch.
        #expect(try session.checkpoint().state.step == 10)
        #expect(report.parameters == 64 * (28 + 64 + 2) + 64 * 28 + 28)
        #expect(report.metrics.samples.first?.hasPrefix("it has") == true)
        // An untrained-ish model is far from perfect but far better than uniform over 28 symbols.
        let loss = try #require(report.metrics.valLoss)
        #expect(loss < log(28.0))
    }

    /// A resumed trial of each new protocol (full batch on a random split; d2l's windows, <unk> and
    /// every-step windows) continues exactly as the uninterrupted one, from the checkpoint's metadata.
    @Test(arguments: ["seed004-p1.json", "d2l-rnn.json"])
    func resumesBitForBit(_ file: String) throws {
        let sweep = try Self.sweep(file)
        var config = try #require(sweep.trials(dataset: DatasetSettings(name: "x", sha256: "")).first).config
        config.training.epochs = 2
        if file == "seed004-p1.json" { config.training.epochs = 3 } else { config.training.maxBatchesPerEpoch = 2 }
        let text = file == "seed004-p1.json"
            ? try String(contentsOf: Self.packageRoot.appendingPathComponent("sweeps/texts/nextchar-jhaywoo6.txt"), encoding: .utf8)
            : try Self.dataText("timemachine.txt")
        func session() throws -> TrainingSession {
            try TrainingSession(text: text, preprocessing: sweep.dataset.preprocess, unknownToken: sweep.dataset.unkToken,
                                model: config.model, training: config.training, split: sweep.split,
                                generation: GenerationConfig(length: 0), seed: 11)
        }
        let whole = try session()
        _ = try whole.run(checkpoints: nil)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try session()
        final class StopAfterOne: TrainingObserver {
            var epochs = 0
            var isCancelled: Bool { epochs >= 1 }
            func epochEnded(_ metrics: EpochMetrics) { epochs += 1 }
        }
        _ = try first.run(observer: StopAfterOne(), checkpointDirectory: folder.path)
        let checkpoint = folder.appendingPathComponent("epoch-0001.safetensors").path
        let resumed = try TrainingSession(resumingFrom: checkpoint, text: text)
        #expect(resumed.split == sweep.split && resumed.training == config.training)
        #expect(resumed.corpus.vocabulary == whole.corpus.vocabulary)
        _ = try resumed.run(checkpoints: nil)
        #expect(resumed.history.map(\.valLoss) == whole.history.map(\.valLoss))
        #expect(resumed.history.map(\.trainLoss) == whole.history.map(\.trainLoss))
    }
}
