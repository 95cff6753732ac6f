import Foundation
import Testing
@testable import SweepCore
import SystemSupport

@Suite struct GridExpansionTests {
    static let shakespeare = DatasetSettings(name: "tinyshakespeare", sha256: DatasetRegistry.standard.entry(named: "tinyshakespeare")!.sha256)

    @Test func shakespeareGridExpandsInFileOrder() throws {
        let sweep = try TestFiles.sweep(named: "shakespeare.json")
        #expect(sweep.name == "shakespeare")
        #expect(sweep.grid.map(\.key) == ["sequence_length", "cell", "hidden_size", "fc_layers"])
        let trials = sweep.trials(dataset: try #require(sweep.registryDataset()))
        #expect(trials.count == 54)
        #expect(trials.map(\.number) == Array(1...54))

        // Sequence length outermost, then cell, hidden size, FC layers.
        var expected: [(Int, ModelConfig.Cell, Int, Int)] = []
        for length in [20, 30, 50] { for cell in [ModelConfig.Cell.lstm, .gru] { for hidden in [128, 256, 512] { for fc in [1, 2, 3] {
            expected.append((length, cell, hidden, fc))
        } } } }
        for (trial, (length, cell, hidden, fc)) in zip(trials, expected) {
            #expect(trial.config.training.sequenceLength == length)
            #expect(trial.config.model.cell == cell)
            #expect(trial.config.model.hiddenSize == hidden)
            #expect(trial.config.model.fcLayers == fc)
            #expect(trial.gridValues.map(\.text) == [String(length), cell.rawValue, String(hidden), String(fc)])
        }

        let first = trials[0].config
        #expect(first.model == ModelConfig(cell: .lstm, layers: 1, hiddenSize: 128, input: .embedding, embeddingSize: 128, fcLayers: 1, fcHidden: []))
        #expect(first.training == TrainingConfig(objective: .everyStep, sequenceLength: 20, stride: 1, batchSize: 64, epochs: 3,
                                                   learningRate: 0.002, optimizer: .adam, clipNorm: 5, seed: 4, checkpointEvery: 1))
        #expect(first.split == SplitSpec(kind: .tail, fraction: 0.1))
        #expect(first.dataset == Self.shakespeare)
        #expect(first.generate == GenerationConfig(length: 500, prompts: ["ROMEO:"], mode: .stateful, temperature: 0))

        let last = trials[53].config
        #expect(last.model.cell == .gru && last.training.sequenceLength == 50 && last.model.hiddenSize == 512 && last.model.fcLayers == 3)
        #expect(last.model.fcHidden == [512, 512])
        #expect(last.model.embeddingSize == 512)
    }

    @Test func trialIDsAreStableAndUnique() throws {
        let trials = try TestFiles.sweep(named: "shakespeare.json").trials(dataset: Self.shakespeare)
        let again = try TestFiles.sweep(named: "shakespeare.json").trials(dataset: Self.shakespeare)
        #expect(trials == again)
        #expect(Set(trials.map(\.id)).count == 54)
        #expect(Set(trials.map(\.seed)).count == 54)
        #expect(trials.allSatisfy { $0.id.count == 12 && $0.id.allSatisfy(\.isHexDigit) })
        // Computed once; a change here means every stored run's ids change.
        #expect(trials[0].id == "f978b21a457f")
        #expect(trials[53].id == "c59d91178c90")
        #expect(trials[0].seed == 12_616_040_915_318_671_245)
        #expect(trials[0].config.canonicalIdentityJSON == #"{"dataset":{"name":"tinyshakespeare","preprocess":"none","sha256":"86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"},"generate":{"length":500,"mode":"stateful","prompt_slices":[],"prompts":["ROMEO:"],"temperature":0},"model":{"activation":"relu","batch_norm":false,"cell":"lstm","dropout":0,"embedding_size":128,"fc_hidden":[],"fc_layers":1,"head_activation":"between","head_dropout":0,"hidden_size":128,"input":"embedding","layers":1},"split":{"fraction":0.1,"kind":"tail"},"training":{"batch_size":64,"clip_norm":5,"epochs":3,"learning_rate":0.002,"momentum":0,"objective":"every-step","optimizer":"adam","seed":4,"sequence_length":20,"stride":1}}"#)
    }

    @Test func executionOnlyKeysDoNotChangeIDs() throws {
        var config = try TestFiles.sweep(named: "shakespeare.json").trials(dataset: Self.shakespeare)[0].config
        let id = config.trialID
        config.training.checkpointEvery = 7
        config.training.maxAttempts = 9
        config.training.threads = 4
        #expect(config.trialID == id)
        config.training.learningRate = 0.001
        #expect(config.trialID != id)
    }

    @Test func threadsKeyIsReadAndLeavesTheIDAlone() throws {
        func trial(_ training: String) throws -> Trial {
            try TestFiles.parse(#"{"name": "n", "dataset": "nextchar", "training": {\#(training)}, "grid": {}}"#)
                .trials(dataset: DatasetSettings(name: "nextchar", sha256: String(repeating: "0", count: 64)))[0]
        }
        let one = try trial(#""seed": 3"#)
        let two = try trial(#""seed": 3, "threads": 2"#)
        #expect(one.config.training.threads == 1)
        #expect(two.config.training.threads == 2)
        #expect(one.id == two.id && one.seed == two.seed)
    }

    @Test func numbersWrittenDifferentlyGiveTheSameID() throws {
        func trial(_ training: String) throws -> Trial {
            try TestFiles.parse(#"{"name": "n", "dataset": "nextchar", "training": {\#(training)}, "grid": {}}"#)
                .trials(dataset: DatasetSettings(name: "nextchar", sha256: String(repeating: "0", count: 64)))[0]
        }
        let a = try trial(#""learning_rate": 0.002, "clip_norm": 5, "seed": 3"#)
        let b = try trial(#""learning_rate": 2e-3, "clip_norm": 5.0, "seed": 3"#)
        let c = try trial(#""learning_rate": 0.002, "clip_norm": 5, "seed": 4"#)
        #expect(a.id == b.id && a.seed == b.seed)
        #expect(c.id != a.id && c.seed != a.seed)
        #expect(a.seed == TrialConfig.trialSeed(sweepSeed: 3, trialID: a.id))
        // Pinned: int(sha256(b"4:0123456789ab").hexdigest()[:16], 16) in Python; trained models depend on it.
        #expect(TrialConfig.trialSeed(sweepSeed: 4, trialID: "0123456789ab") == 10_706_025_704_160_490_351)
    }

    @Test func trialConfigRoundTripsThroughCodable() throws {
        let trials = try TestFiles.sweep(named: "shakespeare-seed004.json").trials(dataset: Self.shakespeare)
        let data = try JSONEncoder().encode(trials)
        let decoded = try JSONDecoder().decode([Trial].self, from: data)
        #expect(decoded == trials)
        #expect(decoded[5].config.trialID == trials[5].id)
        let keys = try #require(trials[0].config.json.objectValue).map(\.key).sorted()
        #expect(keys == ["dataset", "generate", "model", "split", "training"])
        #expect(trials[0].config.json["training"]?["sequence_length"] == .number("20"))
    }

    @Test func emptyGridIsOneTrialWithDefaults() throws {
        let sweep = try TestFiles.parse(#"{"name": "one", "dataset": "nextchar"}"#)
        let trials = sweep.trials(dataset: try #require(sweep.registryDataset()))
        #expect(trials.count == 1)
        #expect(trials[0].config.model == ModelConfig())
        #expect(trials[0].config.training == TrainingConfig())
        #expect(trials[0].config.generate.promptSlices == [.init(offset: 0, length: 1)])
        #expect(sweep.schedule == .largestFirst)
    }

    @Test func gridListValuesAndOneHotInput() throws {
        let sweep = try TestFiles.parse(#"""
        {"name": "heads", "dataset": {"name": "timemachine", "preprocess": "letters-lowercase"},
         "model": {"input": "one-hot", "fc_layers": 3},
         "grid": {"fc_hidden": [[128, 64], [32, 16]], "optimizer": ["sgd", "adam"]}}
        """#)
        let trials = sweep.trials(dataset: try #require(sweep.registryDataset()))
        #expect(trials.map(\.config.model.fcHidden) == [[128, 64], [128, 64], [32, 16], [32, 16]])
        #expect(trials.map(\.config.training.optimizer) == [.sgd, .adam, .sgd, .adam])
        #expect(trials[0].config.model.embeddingSize == nil)
        #expect(trials[0].config.dataset.preprocess == .lettersLowercase)
        #expect(trials[0].gridValues[0].text == "[128,64]")
    }

    @Test func largestFirstPutsTheMostExpensiveTrialFirst() throws {
        let sweep = try TestFiles.sweep(named: "shakespeare.json")
        let trials = sweep.trials(dataset: Self.shakespeare)
        let order = sweep.schedule.order(trials, datasetLength: 1_115_394)
        #expect(order.count == 54 && Set(order.map(\.number)) == Set(1...54))
        // Every-step work does not depend on L, so the tie goes to the lowest number: L20 LSTM H512 f3.
        #expect(order[0].number == 9)
        #expect(order[0].config.model.cell == .lstm && order[0].config.model.hiddenSize == 512)
        #expect(order.last!.config.model.cell == .gru && order.last!.config.model.hiddenSize == 128 && order.last!.config.model.fcLayers == 1)
        let costs = order.map { TrainingCost.estimate($0.config, datasetLength: 1_115_394, vocabularySize: 65) }
        #expect(zip(costs, costs.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(ScheduleOrder.fileOrder.order(order, datasetLength: 1_115_394).map(\.number) == Array(1...54))

        // Last-step work grows with L: the seed004 grid starts with L50.
        let original = try TestFiles.sweep(named: "shakespeare-seed004.json")
        let first = original.schedule.order(original.trials(dataset: Self.shakespeare), datasetLength: 1_115_394)[0]
        #expect(first.config.training.sequenceLength == 50 && first.config.model.cell == .lstm && first.config.model.hiddenSize == 512)
    }

    @Test func earlyStoppingHandsOutTheGridInAFixedShuffledOrder() throws {
        // A learning-rate axis in file order gets better trial by trial: each newcomer to an ASHA
        // rung would beat everyone before it and go on, so such sweeps default to `shuffled`.
        let asha = #""early_stopping": {"rule": "asha", "metric": "val_loss", "min_epochs": 1, "max_epochs": 9, "reduction_factor": 3}"#
        func file(_ top: String, training: String = #""epochs": 9"#) -> String {
            #"{"name": "lr", "dataset": "tinyshakespeare", "training": {"#+training+#"}, "#+top+#", "grid": {"#
                + #""learning_rate": [0.0003, 0.0005, 0.0008, 0.0012, 0.002, 0.003, 0.005, 0.008, 0.012], "clip_norm": [0.5, 5, 50]}}"#
        }
        let sweep = try TestFiles.parse(file(asha))
        #expect(sweep.schedule == .shuffled)
        let trials = sweep.trials(dataset: Self.shakespeare)
        let order = sweep.schedule.order(trials, datasetLength: 1_115_394).map(\.number)
        #expect(order.count == 27 && Set(order) == Set(1...27))
        #expect(order == sweep.schedule.order(trials.reversed(), datasetLength: 1_115_394).map(\.number))
        #expect(order == (try TestFiles.parse(file(asha))).schedule.order(trials, datasetLength: 1_115_394).map(\.number))
        // The first third handed out spans the learning rates (file order gives only the 3 lowest).
        let firstRates = Set(order.prefix(9).map { trials[$0 - 1].config.training.learningRate })
        #expect(firstRates.count >= 5, "first nine trials cover only \(firstRates.sorted())")
        // A trial's place depends on itself alone: a subset keeps the relative order of the whole.
        let subset = trials.filter { $0.number % 2 == 0 }
        #expect(sweep.schedule.order(subset, datasetLength: 1_115_394).map(\.number) == order.filter { $0 % 2 == 0 })
        // A different sweep seed gives another order.
        let reseeded = try TestFiles.parse(file(asha, training: #""epochs": 9, "seed": 7"#))
        #expect(reseeded.schedule.order(reseeded.trials(dataset: Self.shakespeare), datasetLength: 1_115_394).map(\.number) != order)
        // A schedule the file names wins, and without early stopping the default stays largest-first.
        let named = try TestFiles.parse(file(asha + #", "schedule": "file-order""#))
        #expect(named.schedule == .fileOrder)
        let plain = try TestFiles.parse(file(#""description": "no early stopping""#))
        #expect(plain.earlyStopping == nil && plain.schedule == .largestFirst)
    }

    @Test func parameterCountsMatchPyTorch() {
        #expect(TrainingCost.parameterCount(ModelConfig(cell: .lstm, hiddenSize: 128, fcLayers: 1), vocabularySize: 65) == 148_801)
        #expect(TrainingCost.parameterCount(ModelConfig(cell: .gru, hiddenSize: 128, fcLayers: 1), vocabularySize: 65) == 115_777)
        #expect(TrainingCost.parameterCount(ModelConfig(cell: .lstm, hiddenSize: 512, fcLayers: 3), vocabularySize: 65) == 2_693_185)
        // Forward MACs of LSTM H128 f1 with an embedding: 4·128·(128+128) + 128·65.
        #expect(TrainingCost.forwardMACsPerCharacter(ModelConfig(cell: .lstm, hiddenSize: 128), vocabularySize: 65) == 131_072 + 8_320)
    }
}
