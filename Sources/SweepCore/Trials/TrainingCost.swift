/// Analytic sizes of a model and an estimate of a trial's training work, used to schedule the
/// most expensive trials first. Counts follow DESIGN.md §2 (PyTorch's layout).
public enum TrainingCost {
    /// Parameters of the model for a vocabulary of `vocabularySize` characters (PyTorch's count).
    public static func parameterCount(_ model: ModelConfig, vocabularySize: Int) -> Int {
        let gates = model.gateCount
        var count = model.embeddingSize.map { vocabularySize * $0 } ?? 0
        var inputWidth = model.embeddingSize ?? vocabularySize
        for _ in 0..<model.layers {
            count += gates * model.hiddenSize * (inputWidth + model.hiddenSize + 2)
            inputWidth = model.hiddenSize
        }
        for (fanIn, fanOut) in headShapes(model, vocabularySize: vocabularySize) {
            count += fanIn * fanOut + fanOut
        }
        if model.batchNorm { count += 2 * model.fcHidden.reduce(0, +) }
        return count
    }

    /// Forward multiply-accumulates per character (recurrent stack + head, as ptflops counts;
    /// a one-hot input counts as a dense V-wide input, an embedding lookup as free).
    public static func forwardMACsPerCharacter(_ model: ModelConfig, vocabularySize: Int) -> Int {
        recurrentMACs(model, vocabularySize: vocabularySize) + headMACs(model, vocabularySize: vocabularySize)
    }

    /// Estimated multiply-accumulates to train a trial: 3 × forward work (forward + backward ≈
    /// 3 forwards) × epochs, where the forward work of one epoch is
    /// - every-step: (training characters) × (recurrent + head MACs per character);
    /// - last-step: windows × (L × recurrent MACs + head MACs), windows = (train − L) / stride.
    /// `max_batches_per_epoch` caps the characters or windows seen per epoch.
    public static func estimate(_ config: TrialConfig, datasetLength: Int, vocabularySize: Int) -> Double {
        let model = config.model, training = config.training
        let recurrent = Double(recurrentMACs(model, vocabularySize: vocabularySize))
        let head = Double(headMACs(model, vocabularySize: vocabularySize))
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

    static func recurrentMACs(_ model: ModelConfig, vocabularySize: Int) -> Int {
        let gates = model.gateCount
        var inputWidth = model.embeddingSize ?? vocabularySize
        var total = 0
        for _ in 0..<model.layers {
            total += gates * model.hiddenSize * (inputWidth + model.hiddenSize)
            inputWidth = model.hiddenSize
        }
        return total
    }

    static func headMACs(_ model: ModelConfig, vocabularySize: Int) -> Int {
        headShapes(model, vocabularySize: vocabularySize).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// (fan-in, fan-out) of each Linear in the head.
    static func headShapes(_ model: ModelConfig, vocabularySize: Int) -> [(Int, Int)] {
        let widths = [model.hiddenSize] + model.fcHidden + [vocabularySize]
        return zip(widths, widths.dropFirst()).map { ($0, $1) }
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
