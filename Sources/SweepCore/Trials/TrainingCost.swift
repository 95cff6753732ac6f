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

    /// Estimated multiply-accumulates to train a trial: 3 × forward work (forward + backward ≈
    /// 3 forwards) × epochs, where the forward work of one epoch is
    /// - every-step: (training characters) × (recurrent + head MACs per character);
    /// - last-step: windows × (L × recurrent MACs + head MACs), windows = (train − L) / stride.
    /// `max_batches_per_epoch` caps the characters or windows seen per epoch.
    public static func estimate(_ config: TrialConfig, datasetLength: Int, vocabularySize: Int) -> Double {
        let model = sized(config.model, vocabularySize), training = config.training
        let recurrent = Double(model.recurrentMACsPerStep)
        let head = Double(model.headMACs)
        let trainLength = max(config.split.partLengths(ofTextLength: datasetLength).train, 1)
        let length = training.sequenceLength
        var perEpoch: Double
        switch training.objective {
        case .everyStep:
            var characters = Double(trainLength)
            if let cap = training.maxBatchesPerEpoch { characters = min(characters, Double(cap * training.batchSize * length)) }
            perEpoch = characters * (recurrent + head)
        case .lastStep:
            var windows = Double(max(trainLength - length, 1)) / Double(training.stride)
            if let cap = training.maxBatchesPerEpoch { windows = min(windows, Double(cap * training.batchSize)) }
            perEpoch = windows * (Double(length) * recurrent + head)
        }
        return 3 * perEpoch * Double(training.epochs)
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
        }
    }
}
