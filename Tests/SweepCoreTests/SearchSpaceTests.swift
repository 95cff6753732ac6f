import Foundation
import Testing
@testable import SweepCore

/// A sweep file with a `search` section (and more sections via `extra`).
private func searchSweep(samples: Int = 12, parameters: String = """
    {"learning_rate": {"loguniform": [0.0001, 0.01]}, "hidden_size": {"qloguniform": [16, 256, 16]},
     "dropout": {"uniform": [0, 0.5]}, "sequence_length": {"int": [10, 40]}, "cell": {"choice": ["rnn", "gru", "lstm"]}}
    """, grid: String = #"{"layers": [1, 2]}"#, training: String = #"{"epochs": 9, "batch_size": 8, "seed": 7}"#,
    extra: String = "") -> String {
    #"{"name": "s", "dataset": "nextchar", "training": \#(training), "grid": \#(grid), "search": {"samples": \#(samples), "parameters": \#(parameters)}\#(extra)}"#
}

@Suite struct SearchSpaceTests {
    static let dataset = DatasetSettings(name: "nextchar", sha256: "", preprocess: .none)

    @Test func theSameFileYieldsTheSameTrials() throws {
        let first = try TestFiles.parse(searchSweep()).trials(dataset: Self.dataset)
        let second = try TestFiles.parse(searchSweep()).trials(dataset: Self.dataset)
        #expect(first.count == 24)
        #expect(first.map(\.id) == second.map(\.id))
        #expect(first.map(\.config) == second.map(\.config))
        #expect(Set(first.map(\.id)).count == first.count)
    }

    @Test func drawsRespectTheirBounds() throws {
        let trials = try TestFiles.parse(searchSweep(samples: 200, grid: "{}")).trials(dataset: Self.dataset)
        #expect(trials.count == 200)
        for trial in trials {
            let training = trial.config.training, model = trial.config.model
            #expect(training.learningRate >= 0.0001 && training.learningRate <= 0.01)
            #expect(model.hiddenSize >= 16 && model.hiddenSize <= 256 && model.hiddenSize % 16 == 0)
            #expect(model.dropout >= 0 && model.dropout <= 0.5)
            #expect((10...40).contains(training.sequenceLength))
            // Integral keys are written as JSON integers (the grid columns show them so).
            let hidden = try #require(trial.gridValues.first { $0.key == "hidden_size" })
            #expect(hidden.value.intValue == model.hiddenSize)
        }
        // Log-uniform: about as many draws below the geometric middle (0.001) as above it, unlike uniform.
        let below = trials.filter { $0.config.training.learningRate < 0.001 }.count
        #expect(below > 60 && below < 140, "\(below) of 200 below 0.001")
        #expect(Set(trials.map(\.config.model.cell)).count == 3)
        #expect(Set(trials.map(\.config.training.sequenceLength)).count > 20)
    }

    @Test func moreSamplesKeepTheEarlierTrials() throws {
        let few = try TestFiles.parse(searchSweep(samples: 5)).trials(dataset: Self.dataset)
        let more = try TestFiles.parse(searchSweep(samples: 9)).trials(dataset: Self.dataset)
        #expect(more.count == 18)
        #expect(Array(more.prefix(few.count)).map(\.id) == few.map(\.id))
        #expect(Array(more.prefix(few.count)).map(\.number) == few.map(\.number))
    }

    @Test func theSamplingSeedChangesTheDraws() throws {
        let sweep = try TestFiles.parse(searchSweep(grid: "{}"))
        #expect(sweep.search?.seed == 7)
        let reseeded = try TestFiles.parse(searchSweep(grid: "{}").replacingOccurrences(of: #""samples": 12"#, with: #""samples": 12, "sampling_seed": 8"#))
        #expect(reseeded.search?.seed == 8)
        #expect(sweep.trials(dataset: Self.dataset).map(\.id) != reseeded.trials(dataset: Self.dataset).map(\.id))
    }

    @Test func repeatedChoicesAreDrawnOnce() throws {
        let trials = try TestFiles.parse(searchSweep(samples: 50, parameters: #"{"cell": {"choice": ["rnn", "gru"]}}"#, grid: "{}"))
            .trials(dataset: Self.dataset)
        #expect(trials.count == 2)
        #expect(Set(trials.map(\.id)).count == 2)
    }

    static let invalid: [InvalidCase] = [
        .init(label: "samples missing", json: #"{"name": "s", "dataset": "nextchar", "search": {"parameters": {"dropout": {"uniform": [0, 0.5]}}}}"#,
              path: "search.samples", value: nil, messageContains: "missing"),
        .init(label: "zero samples", json: searchSweep(samples: 0), path: "search.samples", value: "0", messageContains: "an integer in 1...100000"),
        .init(label: "unknown search key", json: searchSweep(parameters: #"{"hidden": {"int": [1, 4]}}"#), path: "search.parameters.hidden", value: nil,
              messageContains: "unknown hyperparameter"),
        .init(label: "unknown distribution", json: searchSweep(parameters: #"{"dropout": {"normal": [0, 1]}}"#), path: "search.parameters.dropout.normal",
              value: nil, messageContains: "unknown distribution"),
        .init(label: "low above high", json: searchSweep(parameters: #"{"dropout": {"uniform": [0.5, 0.1]}}"#), path: "search.parameters.dropout.uniform[1]",
              value: "0.1", messageContains: "expected high above low"),
        .init(label: "log-uniform from zero", json: searchSweep(parameters: #"{"learning_rate": {"loguniform": [0, 0.1]}}"#),
              path: "search.parameters.learning_rate.loguniform[0]", value: "0", messageContains: "positive number"),
        .init(label: "fractional int bound", json: searchSweep(parameters: #"{"layers": {"int": [1, 2.5]}}"#, grid: "{}"),
              path: "search.parameters.layers.int[1]", value: "2.5", messageContains: "expected an integer"),
        .init(label: "uniform for an integer key", json: searchSweep(parameters: #"{"hidden_size": {"uniform": [8, 64]}}"#),
              path: "search.parameters.hidden_size", value: nil, messageContains: "takes integers"),
        .init(label: "draws outside the key's range", json: searchSweep(parameters: #"{"dropout": {"uniform": [0, 1]}}"#),
              path: "search.parameters.dropout", value: nil, messageContains: "but dropout expects a number in [0, 1)"),
        .init(label: "bad choice value", json: searchSweep(parameters: #"{"cell": {"choice": ["gru", "lstmm"]}}"#),
              path: "search.parameters.cell.choice[1]", value: #""lstmm""#, messageContains: "one of"),
        .init(label: "key also in the grid", json: searchSweep(parameters: #"{"layers": {"int": [1, 3]}}"#),
              path: "search.parameters.layers", value: nil, messageContains: "also given as grid.layers"),
        .init(label: "two distributions", json: searchSweep(parameters: #"{"dropout": {"uniform": [0, 0.5], "choice": [0.1]}}"#),
              path: "search.parameters.dropout", value: #"{"uniform":[0,0.5],"choice":[0.1]}"#, messageContains: "expected an object with one of"),
        .init(label: "asha max_epochs unlike the trials'", json: searchSweep(extra: #", "early_stopping": {"rule": "asha", "min_epochs": 1, "max_epochs": 8, "reduction_factor": 3}"#),
              path: "early_stopping.max_epochs", value: "8", messageContains: "expected the trials' epochs (9 from training.epochs)"),
        .init(label: "asha rung without a checkpoint", json: searchSweep(training: #"{"epochs": 9, "batch_size": 8, "checkpoint_every": 2}"#,
                                                                         extra: #", "early_stopping": {"rule": "asha", "min_epochs": 1, "max_epochs": 9, "reduction_factor": 3}"#),
              path: "early_stopping.min_epochs", value: nil, messageContains: "rung epoch 1 has no checkpoint"),
        .init(label: "reduction factor of one", json: searchSweep(extra: #", "early_stopping": {"rule": "asha", "min_epochs": 1, "max_epochs": 9, "reduction_factor": 1}"#),
              path: "early_stopping.reduction_factor", value: "1", messageContains: "2...100"),
        .init(label: "unknown rule", json: searchSweep(extra: #", "early_stopping": {"rule": "hyperband"}"#),
              path: "early_stopping.rule", value: #""hyperband""#, messageContains: #""asha", "median", "none""#),
        .init(label: "median key under asha", json: searchSweep(extra: #", "early_stopping": {"rule": "asha", "grace_epochs": 1, "min_epochs": 1, "max_epochs": 9, "reduction_factor": 3}"#),
              path: "early_stopping.grace_epochs", value: nil, messageContains: "unknown key"),
        .init(label: "unknown metric", json: searchSweep(extra: #", "early_stopping": {"rule": "median", "metric": "val_accuracy"}"#),
              path: "early_stopping.metric", value: #""val_accuracy""#, messageContains: #""val_loss""#),
        .init(label: "bad budget", json: searchSweep(extra: #", "early_stopping": {"rule": "none", "budget": {"trial_hours": 3}}"#),
              path: "early_stopping.budget.trial_hours", value: nil, messageContains: "unknown budget"),
        .init(label: "rule none without a budget", json: searchSweep(extra: #", "early_stopping": {"rule": "none"}"#),
              path: "early_stopping.budget", value: nil, messageContains: "only makes sense with a budget"),
    ]

    @Test(arguments: invalid)
    func rejects(_ invalid: InvalidCase) throws {
        try invalid.expectRejected()
    }

    @Test func earlyStoppingIsParsed() throws {
        let asha = try TestFiles.parse(searchSweep(extra: #", "early_stopping": {"rule": "asha", "metric": "val_loss", "min_epochs": 1, "max_epochs": 9, "reduction_factor": 3, "budget": {"trial_epochs": 50}}"#))
        #expect(asha.earlyStopping == EarlyStopping(rule: .asha(minEpochs: 1, maxEpochs: 9, reductionFactor: 3), budget: .trialEpochs(50)))
        #expect(EarlyStopping.rungs(minEpochs: 1, maxEpochs: 9, reductionFactor: 3) == [1, 3])
        #expect(EarlyStopping.rungs(minEpochs: 2, maxEpochs: 40, reductionFactor: 2) == [2, 4, 8, 16, 32])
        let median = try TestFiles.parse(searchSweep(extra: #", "early_stopping": {"rule": "median", "grace_epochs": 2}"#))
        #expect(median.earlyStopping == EarlyStopping(rule: .median(graceEpochs: 2, minTrials: 3)))
        let budget = try TestFiles.parse(searchSweep(extra: #", "early_stopping": {"rule": "none", "budget": {"trial_seconds": 600}}"#))
        #expect(budget.earlyStopping == EarlyStopping(rule: .budgetOnly, budget: .trialSeconds(600)))
    }

    @Test func shippedSearchSweepsParse() throws {
        let asha = try TestFiles.sweep(named: "shakespeare-asha.json")
        #expect(asha.trialCount == 54)
        #expect(asha.earlyStopping?.rule == .asha(minEpochs: 1, maxEpochs: 9, reductionFactor: 3))
        let random = try TestFiles.sweep(named: "shakespeare-random.json")
        #expect(random.trialCount == 30)
        #expect(random.search?.dimensions.map(\.key) == ["learning_rate", "hidden_size", "dropout", "sequence_length"])
    }
}
