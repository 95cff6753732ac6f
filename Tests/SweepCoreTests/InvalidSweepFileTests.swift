import Foundation
import Testing
@testable import SweepCore

/// One broken sweep file and what its error must say.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    let label: String
    let json: String
    let path: String
    /// Expected `got …` value (compact JSON), or nil when the error has none.
    let value: String?
    let messageContains: String

    var testDescription: String { label }

    /// Parsing `json` as sweeps/x.json fails naming the file, the JSON path, the value and the
    /// expected message, with exit code 2.
    func expectRejected() throws {
        let url = try TestFiles.write(json, fileName: "x.json")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do throws(SweepFileError) {
            let parsed = try SweepFile(contentsOf: url, file: "sweeps/x.json")
            Issue.record("accepted: \(parsed.name)")
        } catch {
            #expect(error.file == "sweeps/x.json")
            #expect(error.path == path, "\(error)")
            #expect(error.value == value, "\(error)")
            #expect(error.message.contains(messageContains), "\(error.message)")
            #expect(error.description.hasPrefix("sweeps/x.json: " + (path.isEmpty ? "" : path + ": ")))
            if let value { #expect(error.description.hasSuffix(", got " + value)) }
            #expect(error.exitCode == 2)
        }
    }
}

/// A valid sweep with `overrides` replacing whole top-level sections.
private func sweep(
    name: String = #""ok""#, dataset: String = #""nextchar""#,
    training: String = #"{"epochs": 3, "batch_size": 8}"#, model: String = #"{"layers": 1}"#,
    grid: String = #"{"cell": ["rnn", "gru"], "hidden_size": [8, 16]}"#, extra: String = ""
) -> String {
    #"{"name": \#(name), "dataset": \#(dataset), "training": \#(training), "model": \#(model), "grid": \#(grid)\#(extra)}"#
}

@Suite struct InvalidSweepFileTests {
    static let cases: [InvalidCase] = [
        .init(label: "negative epochs", json: sweep(training: #"{"epochs": -3}"#), path: "training.epochs", value: "-3", messageContains: "expected a positive integer"),
        .init(label: "fractional epochs", json: sweep(training: #"{"epochs": 3.5}"#), path: "training.epochs", value: "3.5", messageContains: "positive integer"),
        .init(label: "zero batch size", json: sweep(training: #"{"batch_size": 0}"#), path: "training.batch_size", value: "0", messageContains: "positive integer"),
        .init(label: "learning rate as a string", json: sweep(training: #"{"learning_rate": "0.01"}"#), path: "training.learning_rate", value: #""0.01""#, messageContains: "positive number"),
        .init(label: "negative clip norm", json: sweep(training: #"{"clip_norm": -1}"#), path: "training.clip_norm", value: "-1", messageContains: "positive number or null"),
        .init(label: "unknown objective", json: sweep(training: #"{"objective": "all-steps"}"#), path: "training.objective", value: #""all-steps""#, messageContains: #"one of "last-step", "every-step""#),
        .init(label: "unknown optimizer", json: sweep(training: #"{"optimizer": "adamw"}"#), path: "training.optimizer", value: #""adamw""#, messageContains: #""adam", "sgd""#),
        .init(label: "negative hidden size in grid", json: sweep(grid: #"{"hidden_size": [128, 256, -5]}"#), path: "grid.hidden_size[2]", value: "-5", messageContains: "positive integer"),
        .init(label: "unknown cell in grid", json: sweep(grid: #"{"cell": ["lstm", "lstmm"]}"#), path: "grid.cell[1]", value: #""lstmm""#, messageContains: #"one of "rnn", "lstm", "gru""#),
        .init(label: "empty grid list", json: sweep(grid: #"{"cell": [], "hidden_size": [8]}"#), path: "grid.cell", value: "[]", messageContains: "non-empty list"),
        .init(label: "grid value not a list", json: sweep(grid: #"{"hidden_size": 128}"#), path: "grid.hidden_size", value: "128", messageContains: "expected a list"),
        .init(label: "unknown grid key", json: sweep(grid: #"{"hidden": [8, 16]}"#), path: "grid.hidden", value: nil, messageContains: "unknown hyperparameter"),
        .init(label: "grid key also in a section", json: sweep(model: #"{"hidden_size": 64}"#), path: "grid.hidden_size", value: nil, messageContains: "also given as model.hidden_size"),
        .init(label: "duplicate grid value", json: sweep(grid: #"{"hidden_size": [128, 64, 128]}"#), path: "grid.hidden_size[2]", value: "128", messageContains: "duplicate of grid.hidden_size[0]"),
        .init(label: "execution key in grid", json: sweep(grid: #"{"checkpoint_every": [1, 2]}"#), path: "grid.checkpoint_every", value: nil, messageContains: "not the model"),
        .init(label: "zero threads", json: sweep(training: #"{"threads": 0}"#), path: "training.threads", value: "0", messageContains: "an integer in 1...256"),
        .init(label: "too many threads", json: sweep(training: #"{"threads": 257}"#), path: "training.threads", value: "257", messageContains: "an integer in 1...256"),
        .init(label: "threads in grid", json: sweep(grid: #"{"threads": [1, 2]}"#), path: "grid.threads", value: nil, messageContains: "not the model"),
        .init(label: "unknown model key", json: sweep(model: #"{"hiden_size": 64}"#), path: "model.hiden_size", value: nil, messageContains: #"did you mean "hidden_size"?"#),
        .init(label: "unknown top-level key", json: sweep(extra: #", "grids": {}"#), path: "grids", value: nil, messageContains: #"did you mean "grid"?"#),
        .init(label: "too many layers", json: sweep(model: #"{"layers": 9}"#), path: "model.layers", value: "9", messageContains: "an integer in 1...8"),
        .init(label: "zero layers in grid", json: sweep(model: "{}", grid: #"{"layers": [0, 2]}"#), path: "grid.layers[0]", value: "0", messageContains: "1...8"),
        .init(label: "dropout of one", json: sweep(model: #"{"dropout": 1.0}"#), path: "model.dropout", value: "1.0", messageContains: "[0, 1)"),
        .init(label: "fc_hidden of the wrong length", json: sweep(model: #"{"fc_hidden": [64]}"#, grid: #"{"fc_layers": [1, 2, 3]}"#), path: "model.fc_hidden", value: "[64]", messageContains: "expected 0 widths (fc_layers - 1, with fc_layers 1 from grid.fc_layers[0])"),
        .init(label: "fc_hidden with a zero width", json: sweep(model: #"{"fc_layers": 3, "fc_hidden": [64, 0]}"#), path: "model.fc_hidden[1]", value: "0", messageContains: "positive integer"),
        .init(label: "embedding size with one-hot input", json: sweep(model: #"{"input": "one-hot", "embedding_size": 32}"#), path: "model.embedding_size", value: "32", messageContains: "applies only to input \"embedding\""),
        .init(label: "batch norm as a string", json: sweep(model: #"{"batch_norm": "yes"}"#), path: "model.batch_norm", value: #""yes""#, messageContains: "true or false"),
        .init(label: "split fraction out of range", json: sweep(extra: #", "split": {"kind": "tail", "fraction": 1.5}"#), path: "split.fraction", value: "1.5", messageContains: "(0, 1)"),
        .init(label: "unknown split kind", json: sweep(extra: #", "split": {"kind": "head"}"#), path: "split.kind", value: #""head""#, messageContains: #""tail", "random", "none""#),
        .init(label: "unknown generate mode", json: sweep(extra: #", "generate": {"mode": "beam"}"#), path: "generate.mode", value: #""beam""#, messageContains: #""window", "stateful""#),
        .init(label: "empty prompt slice", json: sweep(extra: #", "generate": {"prompt_slices": [{"offset": 3, "length": 0}]}"#), path: "generate.prompt_slices[0].length", value: "0", messageContains: "positive integer"),
        .init(label: "negative temperature", json: sweep(extra: #", "generate": {"temperature": -0.5}"#), path: "generate.temperature", value: "-0.5", messageContains: "non-negative number"),
        .init(label: "unknown schedule", json: sweep(extra: #", "schedule": "random""#), path: "schedule", value: #""random""#, messageContains: #""largest-first", "file-order""#),
        .init(label: "bad name", json: sweep(name: #""my sweep!""#), path: "name", value: #""my sweep!""#, messageContains: "letters, digits"),
        .init(label: "dot-dot name", json: sweep(name: #""..""#), path: "name", value: #""..""#, messageContains: "names the run folder"),
        .init(label: "unknown dataset", json: sweep(dataset: #""shakespear""#), path: "dataset", value: #""shakespear""#, messageContains: "known: nextchar, timemachine, tinyshakespeare"),
        .init(label: "dataset with name and path", json: sweep(dataset: #"{"name": "nextchar", "path": "x.txt"}"#), path: "dataset", value: nil, messageContains: "not both"),
        .init(label: "unknown preprocess", json: sweep(dataset: #"{"name": "nextchar", "preprocess": "lower"}"#), path: "dataset.preprocess", value: #""lower""#, messageContains: "letters-lowercase"),
        .init(label: "missing name", json: #"{"dataset": "nextchar"}"#, path: "name", value: nil, messageContains: "missing"),
        .init(label: "top level not an object", json: "[1, 2]", path: "", value: nil, messageContains: "expected a JSON object at the top level, not a list"),
        .init(label: "duplicate key", json: "{\"name\": \"a\",\n \"name\": \"b\"}", path: "line 2, column 2", value: nil, messageContains: "duplicate key \"name\""),
        .init(label: "trailing comma", json: "{\"name\": \"a\",\n\n  }", path: "line 3, column 3", value: nil, messageContains: "expected a key"),
    ]

    @Test(arguments: cases)
    func rejects(_ invalid: InvalidCase) throws {
        try invalid.expectRejected()
    }

    @Test func messageReadsAsDocumented() {
        #expect(throws: SweepFileError(file: "sweeps/x.json", path: "training.epochs", message: "expected a positive integer", value: "-3")) {
            try TestFiles.parse(sweep(training: #"{"epochs": -3}"#), fileName: "x.json")
        }
        let error = SweepFileError(file: "sweeps/x.json", path: "training.epochs", message: "expected a positive integer", value: "-3")
        #expect(error.description == "sweeps/x.json: training.epochs: expected a positive integer, got -3")
    }

    @Test func missingFileNamesIt() {
        #expect(throws: SweepFileError(file: "nowhere/none.json", path: "", message: "cannot read the sweep file (no such file)")) {
            try SweepFile(contentsOf: URL(fileURLWithPath: "/nonexistent/none.json"), file: "nowhere/none.json")
        }
    }

    @Test func sequenceLengthMustFitTheSplit() throws {
        let parsed = try TestFiles.parse(sweep(training: #"{"batch_size": 8}"#, grid: #"{"sequence_length": [10, 100, 300]}"#), fileName: "x.json")
        // tail 0.1 of 2386: 2148 training, 238 validation characters.
        #expect(throws: SweepFileError(file: "sweeps/x.json", path: "grid.sequence_length[2]",
                                       message: "expected a sequence length below the 238 characters of the validation part (2386 characters, split tail 0.1)", value: "300")) {
            try parsed.validate(against: 2386)
        }
        try parsed.validate(against: 3010)
        let fixed = try TestFiles.parse(sweep(training: #"{"sequence_length": 50}"#, extra: #", "split": {"kind": "none"}"#), fileName: "x.json")
        try fixed.validate(against: 51)
        #expect(throws: SweepFileError(file: "sweeps/x.json", path: "training.sequence_length",
                                       message: "expected a sequence length below the 50 characters of the training part (50 characters, split none)", value: "50")) {
            try fixed.validate(against: 50)
        }
        let defaulted = try TestFiles.parse(sweep(), fileName: "x.json")
        let error = #expect(throws: SweepFileError.self) { try defaulted.validate(against: 40) }
        #expect(error?.path == "training.sequence_length (default)")
    }

    @Test func promptSlicesMustLieInTheText() throws {
        let parsed = try TestFiles.parse(sweep(training: #"{"sequence_length": 5}"#, extra: #", "generate": {"prompt_slices": [{"offset": 0, "length": 4}, {"offset": 90, "length": 20}]}"#), fileName: "x.json")
        try parsed.validate(against: 110)
        #expect(throws: SweepFileError(file: "sweeps/x.json", path: "generate.prompt_slices[1]",
                                       message: "expected a slice inside the dataset's 109 characters (it ends at 110)", value: #"{"offset":90,"length":20}"#)) {
            try parsed.validate(against: 109)
        }
    }
}
