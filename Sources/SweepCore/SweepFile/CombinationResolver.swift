import SystemSupport

/// Expands the grid (first key outermost) for each search sample (samples outermost, so more
/// samples only append trials) and builds each combination's model and training settings from
/// grid values, sampled values, section values and defaults, checking keys that depend on each other.
struct CombinationResolver {
    let context: ErrorContext
    let fixed: [String: SourcedValue]
    let grid: [GridAxis]
    /// Each sample's drawn values; one empty sample without a `search` section.
    var samples: [[GridValue]] = [[]]

    func resolveAll() throws(SweepFileError) -> [Combination] {
        var combinations: [Combination] = []
        for (number, sample) in samples.enumerated() {
            combinations += try resolveGrid(sample: sample, number: number)
        }
        return combinations
    }

    private func resolveGrid(sample: [GridValue], number: Int) throws(SweepFileError) -> [Combination] {
        var combinations: [Combination] = []
        var indices = Array(repeating: 0, count: grid.count)
        while true {
            combinations.append(try resolve(indices, sample: sample, number: number))
            // Odometer: the last key turns fastest, so the first key is outermost.
            var axis = grid.count - 1
            while axis >= 0 {
                indices[axis] += 1
                if indices[axis] < grid[axis].values.count { break }
                indices[axis] = 0
                axis -= 1
            }
            if axis < 0 { return combinations }
        }
    }

    private func resolve(_ indices: [Int], sample: [GridValue], number: Int) throws(SweepFileError) -> Combination {
        var values = fixed
        var gridValues: [GridValue] = []
        for (axis, position) in zip(grid, indices) {
            let value = axis.values[position]
            values[axis.key] = SourcedValue(value: value, source: JSONPath.root.key("grid").key(axis.key).index(position).description)
            gridValues.append(GridValue(key: axis.key, value: value))
        }
        for drawn in sample {
            let path = JSONPath.root.key("search").key("parameters").key(drawn.key)
            values[drawn.key] = SourcedValue(value: drawn.value, source: "\(path) (sample \(number), \(JSONWriter.compact(drawn.value)))")
            gridValues.append(drawn)
        }
        let reader = Reader(values: values)

        let hiddenSize = reader.int("hidden_size") ?? 128
        let fcLayers = reader.int("fc_layers") ?? 1
        let input = reader.choice("input", ModelConfig.Input.self) ?? .embedding
        if input == .oneHot, let given = values["embedding_size"] {
            throw context.error(given.source, "embedding_size applies only to input \"embedding\" (input is \"one-hot\" from \(reader.source("input")))", value: given.value)
        }
        var fcHidden: [Int]?
        if let given = values["fc_hidden"] {
            // The value was checked to be a list of integers when the file was read.
            guard let items = given.value.arrayValue else {
                throw context.error(given.source, "expected a list of layer widths", value: given.value)
            }
            let widths = items.compactMap(\.intValue)
            guard widths.count == items.count else {
                throw context.error(given.source, "expected integer layer widths", value: given.value)
            }
            guard widths.count == fcLayers - 1 else {
                throw context.error(given.source, "expected \(fcLayers - 1) widths (fc_layers - 1, with fc_layers \(fcLayers) from \(reader.source("fc_layers")))", value: given.value)
            }
            fcHidden = widths
        }
        let model = ModelConfig(
            cell: reader.choice("cell", ModelConfig.Cell.self) ?? .lstm,
            layers: reader.int("layers") ?? 1,
            hiddenSize: hiddenSize,
            input: input,
            embeddingSize: reader.int("embedding_size"),
            fcLayers: fcLayers,
            fcHidden: fcHidden,
            headActivation: reader.choice("head_activation", ModelConfig.HeadActivation.self) ?? .between,
            activation: reader.choice("activation", ModelConfig.Activation.self) ?? .relu,
            batchNorm: values["batch_norm"]?.value.boolValue ?? false,
            dropout: reader.double("dropout") ?? 0,
            headDropout: reader.double("head_dropout") ?? 0,
            headNames: reader.choice("head_names", ModelConfig.HeadNames.self) ?? .sequential
        )
        if model.headNames == .moduleList, model.batchNorm {
            throw context.error(reader.source("head_names"), "module-list names only Linear layers; it cannot hold the head's BatchNorm (batch_norm is true from \(reader.source("batch_norm")))", value: .string(model.headNames.rawValue))
        }
        let defaults = TrainingConfig()
        let training = TrainingConfig(
            objective: reader.choice("objective", Objective.self) ?? defaults.objective,
            sequenceLength: reader.int("sequence_length") ?? defaults.sequenceLength,
            stride: reader.int("stride") ?? defaults.stride,
            batchSize: reader.int("batch_size") ?? defaults.batchSize,
            epochs: reader.int("epochs") ?? defaults.epochs,
            learningRate: reader.double("learning_rate") ?? defaults.learningRate,
            optimizer: reader.choice("optimizer", OptimizerKind.self) ?? defaults.optimizer,
            momentum: reader.double("momentum") ?? defaults.momentum,
            clipNorm: reader.double("clip_norm"),
            seed: reader.int("seed").map(UInt64.init) ?? defaults.seed,
            checkpointEvery: reader.int("checkpoint_every") ?? defaults.checkpointEvery,
            maxAttempts: reader.int("max_attempts") ?? defaults.maxAttempts,
            maxBatchesPerEpoch: reader.int("max_batches_per_epoch"),
            fullBatch: values["full_batch"]?.value.boolValue ?? defaults.fullBatch,
            threads: reader.int("threads") ?? defaults.threads
        )
        if training.fullBatch, training.objective == .everyStep {
            throw context.error(reader.source("full_batch"), "full_batch needs windows (objective \"last-step\" or \"window-every-step\"); objective is \"every-step\" from \(reader.source("objective"))", value: .bool(true))
        }
        var sources: [String: String] = [:]
        for parameter in Hyperparameter.all { sources[parameter.name] = reader.source(parameter.name) }
        return Combination(model: model, training: training, gridValues: gridValues, sources: sources)
    }

    /// Typed access to values the rules have already checked.
    private struct Reader {
        let values: [String: SourcedValue]

        func int(_ key: String) -> Int? { values[key]?.value.intValue }
        func double(_ key: String) -> Double? { values[key]?.value.doubleValue }
        func choice<T: RawRepresentable>(_ key: String, _ type: T.Type) -> T? where T.RawValue == String {
            values[key]?.value.stringValue.flatMap(T.init(rawValue:))
        }
        func source(_ key: String) -> String {
            if let given = values[key] { return given.source }
            // Keys come from Hyperparameter.all, so each has a section.
            guard let parameter = Hyperparameter.named(key) else { return "\(key) (default)" }
            return "\(parameter.section.rawValue).\(key) (default)"
        }
    }
}
