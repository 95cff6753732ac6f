/// The `result` object of RESULT (and the optional partial result of FAILED): what the worker
/// measured. Values the coordinator already knows (parameter count, config) are not part of it.
/// Unknown keys are ignored; absent optionals are null. Non-finite numbers travel as strings.
public struct ResultMetrics: Sendable, Hashable, Codable {
    /// Epochs completed (resumed epochs included).
    public var epochsRun: Int
    public var bestEpoch: Int?
    public var bestValLoss: Double?
    /// The last completed epoch's metrics.
    public var trainLoss: Double?
    public var valLoss: Double?
    public var valAccuracy: Double?
    public var valPerplexity: Double?
    /// 100·(val − train)/train.
    public var overfitPct: Double?
    public var trainingSeconds: Double?
    public var inferenceSecondsPer1000: Double?
    public var msPerChar: Double?
    public var sizeMB: Double?
    public var macsPerChar: Double?
    public var trainingFlops: Double?
    public var tokensPerSecond: Double?
    /// Prompt + generated text, one per prompt of the sweep's `generate` section.
    public var samples: [String]
    /// Every epoch of the trial's lineage (earlier attempts it resumed from included), oldest first.
    public var history: [EpochMetrics]
    /// Why the run diverged, or other remarks.
    public var message: String?

    public init(epochsRun: Int, bestEpoch: Int? = nil, bestValLoss: Double? = nil, trainLoss: Double? = nil,
                valLoss: Double? = nil, valAccuracy: Double? = nil, valPerplexity: Double? = nil,
                overfitPct: Double? = nil, trainingSeconds: Double? = nil, inferenceSecondsPer1000: Double? = nil,
                msPerChar: Double? = nil, sizeMB: Double? = nil, macsPerChar: Double? = nil,
                trainingFlops: Double? = nil, tokensPerSecond: Double? = nil, samples: [String] = [],
                history: [EpochMetrics] = [], message: String? = nil) {
        self.epochsRun = epochsRun; self.bestEpoch = bestEpoch; self.bestValLoss = bestValLoss
        self.trainLoss = trainLoss; self.valLoss = valLoss; self.valAccuracy = valAccuracy
        self.valPerplexity = valPerplexity; self.overfitPct = overfitPct; self.trainingSeconds = trainingSeconds
        self.inferenceSecondsPer1000 = inferenceSecondsPer1000; self.msPerChar = msPerChar; self.sizeMB = sizeMB
        self.macsPerChar = macsPerChar; self.trainingFlops = trainingFlops; self.tokensPerSecond = tokensPerSecond
        self.samples = samples; self.history = history; self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case epochsRun = "epochs_run", bestEpoch = "best_epoch", bestValLoss = "best_val_loss"
        case trainLoss = "train_loss", valLoss = "val_loss", valAccuracy = "val_accuracy"
        case valPerplexity = "val_perplexity", overfitPct = "overfit_pct", trainingSeconds = "training_seconds"
        case inferenceSecondsPer1000 = "inference_seconds_per_1000", msPerChar = "ms_per_char", sizeMB = "size_mb"
        case macsPerChar = "macs_per_char", trainingFlops = "training_flops", tokensPerSecond = "tokens_per_second"
        case samples, history, message
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epochsRun = try c.decode(Int.self, forKey: .epochsRun)
        bestEpoch = try c.decodeIfPresent(Int.self, forKey: .bestEpoch)
        bestValLoss = try c.decodeIfPresent(Double.self, forKey: .bestValLoss)
        trainLoss = try c.decodeIfPresent(Double.self, forKey: .trainLoss)
        valLoss = try c.decodeIfPresent(Double.self, forKey: .valLoss)
        valAccuracy = try c.decodeIfPresent(Double.self, forKey: .valAccuracy)
        valPerplexity = try c.decodeIfPresent(Double.self, forKey: .valPerplexity)
        overfitPct = try c.decodeIfPresent(Double.self, forKey: .overfitPct)
        trainingSeconds = try c.decodeIfPresent(Double.self, forKey: .trainingSeconds)
        inferenceSecondsPer1000 = try c.decodeIfPresent(Double.self, forKey: .inferenceSecondsPer1000)
        msPerChar = try c.decodeIfPresent(Double.self, forKey: .msPerChar)
        sizeMB = try c.decodeIfPresent(Double.self, forKey: .sizeMB)
        macsPerChar = try c.decodeIfPresent(Double.self, forKey: .macsPerChar)
        trainingFlops = try c.decodeIfPresent(Double.self, forKey: .trainingFlops)
        tokensPerSecond = try c.decodeIfPresent(Double.self, forKey: .tokensPerSecond)
        samples = try c.decodeIfPresent([String].self, forKey: .samples) ?? []
        history = try c.decodeIfPresent([EpochMetrics].self, forKey: .history) ?? []
        message = try c.decodeIfPresent(String.self, forKey: .message)
    }
}
