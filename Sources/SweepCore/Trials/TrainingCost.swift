/// A trial's training work, estimated from its model's analytic sizes (the ones the trainer
/// reports), used to schedule the most expensive trials first.
public enum TrainingCost {
    /// Parameters of the model for a vocabulary of `vocabularySize` characters (PyTorch's count).
    public static func parameterCount(_ model: ModelConfig, vocabularySize: Int) -> Int {
        sized(model, vocabularySize).parameterCount
    }

    /// Forward multiply-accumulates per character (recurrent stack + head, as ptflops counts;
    /// a one-hot input counts as a dense V-wide input, an embedding lookup as free).
    public static func forwardMACsPerCharacter(_ model: ModelConfig, vocabularySize: Int) -> Int {
        sized(model, vocabularySize).macsPerChar
    }

    /// Training FLOPs of a trial over a text of `datasetLength` characters: exactly what the
    /// trainer reports as `training_flops` for that text (`ModelConfig.trainingFLOPs`).
    public static func estimate(_ config: TrialConfig, datasetLength: Int, vocabularySize: Int) -> Double {
        sized(config.model, vocabularySize).trainingFLOPs(training: config.training, split: config.split,
                                                          tokenCount: datasetLength)
    }

    /// FLOPs of a trial's validation passes (forward only), which its `training_seconds` include.
    public static func validationFLOPs(_ config: TrialConfig, datasetLength: Int, vocabularySize: Int) -> Double {
        sized(config.model, vocabularySize).validationFLOPs(training: config.training, split: config.split,
                                                            tokenCount: datasetLength)
    }

    /// A trial's model has no vocabulary until a trainer reads the text.
    private static func sized(_ model: ModelConfig, _ vocabularySize: Int) -> ModelConfig {
        var model = model
        model.vocabSize = vocabularySize
        return model
    }
}

extension ScheduleOrder {
    /// The order to hand out `trials`. Largest-first sorts by `TrainingCost.estimate`, most
    /// expensive first, ties by trial number; the vocabulary size only scales the head, so an
    /// estimate (65 for Shakespeare) is enough.
    public func order(_ trials: [Trial], datasetLength: Int, vocabularySize: Int = 65) -> [Trial] {
        switch self {
        case .fileOrder:
            return trials.sorted { $0.number < $1.number }
        case .largestFirst:
            let costs = trials.map { TrainingCost.estimate($0.config, datasetLength: datasetLength, vocabularySize: vocabularySize) }
            return zip(trials, costs).sorted { left, right in
                left.1 != right.1 ? left.1 > right.1 : left.0.number < right.0.number
            }.map(\.0)
        case .shuffled:
            // Each trial's place depends on its own seed alone, so an --extend slots new trials in
            // among the old ones and leaves the old ones' order as it was.
            let keys = trials.map { SampleStream.unit(seed: $0.seed, sample: 0, key: "schedule") }
            return zip(trials, keys).sorted { left, right in
                left.1 != right.1 ? left.1 < right.1 : left.0.number < right.0.number
            }.map(\.0)
        }
    }
}
