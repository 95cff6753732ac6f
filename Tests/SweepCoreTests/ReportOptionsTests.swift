import Foundation
import Testing
@testable import SweepCore

private func sweep(dataset: String = #""nextchar""#, split: String = #"{"kind": "random", "fraction": 0.2}"#,
                   training: String = #"{"objective": "last-step", "full_batch": true}"#, model: String = "{}",
                   generate: String = "{}") -> String {
    #"{"name": "ok", "dataset": \#(dataset), "split": \#(split), "training": \#(training), "model": \#(model), "generate": \#(generate)}"#
}

/// The sweep-file options that express the original reports' protocols: full-batch training, the
/// contiguous first-N/next-M window split, d2l's `<unk>` token, prompt files and module-list head
/// names. Each is validated like the rest, and leaves every other config's JSON (so trial id) alone.
@Suite struct ReportOptionsTests {
    static let invalid: [InvalidCase] = [
        .init(label: "full batch with streams", json: sweep(split: #"{"kind": "tail"}"#, training: #"{"objective": "every-step", "full_batch": true}"#), path: "training.full_batch", value: "true", messageContains: "full_batch needs windows"),
        .init(label: "full batch not a boolean", json: sweep(training: #"{"full_batch": 1}"#), path: "training.full_batch", value: "1", messageContains: "true or false"),
        .init(label: "windows without counts", json: sweep(split: #"{"kind": "windows", "train_windows": 10}"#), path: "split.validation_windows", value: nil, messageContains: "needs train_windows and validation_windows"),
        .init(label: "window count zero", json: sweep(split: #"{"kind": "windows", "train_windows": 0, "validation_windows": 5}"#), path: "split.train_windows", value: "0", messageContains: "positive integer"),
        .init(label: "window counts on a tail split", json: sweep(split: #"{"kind": "tail", "train_windows": 10}"#), path: "split.train_windows", value: "10", messageContains: "applies only to split kind \"windows\""),
        .init(label: "fraction on a windows split", json: sweep(split: #"{"kind": "windows", "fraction": 0.2, "train_windows": 1, "validation_windows": 1}"#), path: "split.fraction", value: "0.2", messageContains: "counts windows"),
        .init(label: "windows split with streams", json: sweep(split: #"{"kind": "windows", "train_windows": 10, "validation_windows": 5}"#, training: #"{"objective": "every-step"}"#), path: "training.objective", value: #""every-step""#, messageContains: "needs a windowed objective"),
        .init(label: "unk token not a boolean", json: sweep(dataset: #"{"name": "timemachine", "unk_token": "yes"}"#), path: "dataset.unk_token", value: #""yes""#, messageContains: "true or false"),
        .init(label: "unknown head names", json: sweep(model: #"{"head_names": "list"}"#), path: "model.head_names", value: #""list""#, messageContains: #""sequential", "module-list""#),
        .init(label: "module-list with batch norm", json: sweep(model: #"{"head_names": "module-list", "batch_norm": true, "fc_layers": 2}"#), path: "model.head_names", value: #""module-list""#, messageContains: "cannot hold the head's BatchNorm"),
        .init(label: "missing prompt file", json: sweep(generate: #"{"prompt_files": ["nowhere.txt"]}"#), path: "generate.prompt_files[0]", value: #""nowhere.txt""#, messageContains: "cannot read the prompt file"),
        .init(label: "prompt files not a list", json: sweep(generate: #"{"prompt_files": "a.txt"}"#), path: "generate.prompt_files", value: #""a.txt""#, messageContains: "expected a list of file paths"),
    ]

    @Test(arguments: invalid)
    func rejects(_ invalid: InvalidCase) throws {
        try invalid.expectRejected()
    }

    @Test func defaultsStayOutOfTheTrialJSON() throws {
        let plain = try TestFiles.parse(sweep(training: #"{"objective": "last-step"}"#))
        let json = try #require(plain.trials(dataset: DatasetSettings(name: "n", sha256: "s")).first).config.canonicalIdentityJSON
        for key in ["full_batch", "head_names", "unk_token", "train_windows", "validation_windows"] {
            #expect(!json.contains("\"\(key)\""), "\(key) in \(json)")
        }
        let set = try TestFiles.parse(sweep(dataset: #"{"name": "timemachine", "unk_token": true}"#,
                                            split: #"{"kind": "windows", "train_windows": 7, "validation_windows": 3}"#,
                                            model: #"{"head_names": "module-list"}"#))
        let setDataset = try #require(set.registryDataset())
        let config = try #require(set.trials(dataset: setDataset).first).config
        let text = config.canonicalIdentityJSON
        for fragment in [#""full_batch":true"#, #""head_names":"module-list""#, #""unk_token":true"#, #""train_windows":7"#, #""validation_windows":3"#] {
            #expect(text.contains(fragment), "\(fragment) missing from \(text)")
        }
        // The options survive the trip through JSON that workers, the store and checkpoints make.
        let decoded = try JSONDecoder().decode(TrialConfig.self, from: JSONEncoder().encode(config))
        #expect(decoded == config)
        #expect(decoded.trialID == config.trialID)
    }

    @Test func promptFilesKeepTheirBytesAndIdentifyByContent() throws {
        let folder = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let prompt = "\n        WARWICK:\n        So much\n        "
        try Data(prompt.utf8).write(to: folder.appendingPathComponent("p.txt"))
        let file = folder.appendingPathComponent("s.json")
        try Data(sweep(generate: #"{"prompts": ["Next"], "prompt_files": ["p.txt"]}"#).utf8).write(to: file)
        let parsed = try SweepFile(contentsOf: file)
        #expect(parsed.generate.prompts == ["Next", prompt])
        let inline = try TestFiles.parse(sweep(generate: #"{"prompts": ["Next", "\n        WARWICK:\n        So much\n        "]}"#))
        let settings = DatasetSettings(name: "n", sha256: "s")
        #expect(parsed.trials(dataset: settings).map(\.id) == inline.trials(dataset: settings).map(\.id))
    }

    @Test func windowsSplitMustFitTheText() throws {
        let parsed = try TestFiles.parse(sweep(split: #"{"kind": "windows", "train_windows": 100, "validation_windows": 50}"#,
                                               training: #"{"objective": "window-every-step", "sequence_length": 10}"#), fileName: "x.json")
        try parsed.validate(against: 160)
        let error = #expect(throws: SweepFileError.self) { try parsed.validate(against: 159) }
        #expect(error?.message.contains("leaves 150 windows (149 windows of 159 characters") == true, "\(error?.message ?? "")")
    }
}

/// The reports' profilers' MAC conventions reproduce their published numbers exactly.
@Suite struct ReportMACConventionTests {
    static func timeMachineModel(_ sweep: String, cell: ModelConfig.Cell, hidden: Int) throws -> ModelConfig {
        let parsed = try SweepFile(contentsOf: TestFiles.packageRoot.appendingPathComponent("sweeps/\(sweep)"))
        let dataset = try #require(parsed.registryDataset())
        var model = try #require(parsed.trials(dataset: dataset).map(\.config.model).first { $0.cell == cell && $0.hiddenSize == hidden })
        model.vocabSize = 28
        return model
    }

    @Test func ptflopsRecurrentOnlyMatchesTheTimeMachineReports() throws {
        let gru8 = try Self.timeMachineModel("d2l-timemachine.json", cell: .gru, hidden: 8)
        #expect(gru8.ptflopsRecurrentMACs(steps: 1024) == 991_232)
        #expect(ProfilerUnits.format(gru8.ptflopsRecurrentMACs(steps: 1024)) == "991.23 K")
        let rnn64 = try Self.timeMachineModel("d2l-rnn.json", cell: .rnn, hidden: 64)
        #expect(rnn64.ptflopsRecurrentMACs(steps: 1024) == 6_225_920)
        #expect(ProfilerUnits.format(rnn64.ptflopsRecurrentMACs(steps: 1024)) == "6.23 M")
        // Our own convention counts the matrix products of both the stack and the head.
        #expect(gru8.macsPerChar == 3 * 8 * (28 + 8) + 8 * 28)
        // LSTM: both matrices, both biases and 10 H element-wise operations per step.
        let lstm32 = try Self.timeMachineModel("d2l-timemachine.json", cell: .lstm, hidden: 32)
        #expect(lstm32.ptflopsRecurrentMACsPerStep == 4 * 32 * 28 + 4 * 32 * 32 + 10 * 32 + 2 * 4 * 32)
    }

    @Test func calflopsCountsOnlyTheHeadsLinearLayers() {
        let p1 = ModelConfig(vocabSize: 46, cell: .lstm, hiddenSize: 256)
        #expect(p1.calflopsLinearMACs(objective: .lastStep, sequenceLength: 10) == 256 * 46)
        #expect(p1.calflopsLinearMACs(objective: .windowEveryStep, sequenceLength: 32, sequences: 2) == 256 * 46 * 64)
        let grid = ModelConfig(vocabSize: 65, cell: .gru, hiddenSize: 128, fcLayers: 3, headActivation: .afterFirst)
        #expect(grid.calflopsLinearMACs(objective: .lastStep, sequenceLength: 50) == 2 * 128 * 128 + 128 * 65)
        #expect(ProfilerUnits.format(256 * 46) == "11.78 K")
        #expect(ProfilerUnits.format(999) == "999")
        #expect(ProfilerUnits.format(2_000_000) == "2.0 M")
    }
}
