/// Where the loss is taken: the originals' last step of each window, char-rnn's every step of
/// parallel streams, or d2l's every step of independent windows.
public enum Objective: String, Codable, Sendable, CaseIterable {
    case lastStep = "last-step", everyStep = "every-step"
    /// Each window of L characters predicts the next character at every step, from a zero state;
    /// windows are shuffled every epoch (d2l's `TimeMachine` data loader).
    case windowEveryStep = "window-every-step"

    /// Whether the head and the loss see every step (rows x steps) or only the last one.
    public var lossAtEveryStep: Bool { self != .lastStep }
}

public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case adam, sgd }

/// The training section of a trial. Absent keys take the defaults of `init`.
public struct TrainingConfig: Codable, Sendable, Hashable {
    public var objective: Objective
    public var sequenceLength: Int
    /// Distance between window starts (last-step only).
    public var stride: Int
    public var batchSize: Int
    public var epochs: Int
    public var learningRate: Double
    public var optimizer: OptimizerKind
    /// SGD momentum; Adam ignores it.
    public var momentum: Double
    /// Global gradient-norm clip; nil = no clipping.
    public var clipNorm: Double?
    /// The sweep seed. A trial trains with a seed derived from this and its id, which the
    /// trainer is given separately.
    public var seed: UInt64
    /// Epochs between checkpoints (and after the last). Does not change results.
    public var checkpointEvery: Int
    /// Infra attempts before a trial is `failed`; the coordinator's business, not the trainer's.
    public var maxAttempts: Int
    /// Optional cap on training (and validation) batches per epoch, for smoke tests.
    public var maxBatchesPerEpoch: Int?
    /// One batch of every training window per epoch (one optimizer step per epoch, as a
    /// full-batch original did); `batchSize` is then ignored. Windowed objectives only.
    public var fullBatch: Bool
    /// Threads the trainer splits each step over. Results are bit-identical at every count, so,
    /// like `checkpointEvery`, it is not part of a trial's identity.
    public var threads: Int

    public init(objective: Objective = .everyStep, sequenceLength: Int = 50, stride: Int = 1, batchSize: Int = 64,
                epochs: Int = 10, learningRate: Double = 0.002, optimizer: OptimizerKind = .adam, momentum: Double = 0,
                clipNorm: Double? = nil, seed: UInt64 = 0, checkpointEvery: Int = 1, maxAttempts: Int = 3,
                maxBatchesPerEpoch: Int? = nil, fullBatch: Bool = false, threads: Int = 1) {
        self.objective = objective
        self.sequenceLength = sequenceLength
        self.stride = stride
        self.batchSize = batchSize
        self.epochs = epochs
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.momentum = momentum
        self.clipNorm = clipNorm
        self.seed = seed
        self.checkpointEvery = checkpointEvery
        self.maxAttempts = maxAttempts
        self.maxBatchesPerEpoch = maxBatchesPerEpoch
        self.fullBatch = fullBatch
        self.threads = threads
    }

    enum CodingKeys: String, CodingKey {
        case objective, stride, epochs, optimizer, momentum, seed, threads
        case sequenceLength = "sequence_length"
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case clipNorm = "clip_norm"
        case checkpointEvery = "checkpoint_every"
        case maxAttempts = "max_attempts"
        case maxBatchesPerEpoch = "max_batches_per_epoch"
        case fullBatch = "full_batch"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingConfig()
        self.init(objective: try c.decodeIfPresent(Objective.self, forKey: .objective) ?? d.objective,
                  sequenceLength: try c.decodeIfPresent(Int.self, forKey: .sequenceLength) ?? d.sequenceLength,
                  stride: try c.decodeIfPresent(Int.self, forKey: .stride) ?? d.stride,
                  batchSize: try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize,
                  epochs: try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs,
                  learningRate: try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? d.learningRate,
                  optimizer: try c.decodeIfPresent(OptimizerKind.self, forKey: .optimizer) ?? d.optimizer,
                  momentum: try c.decodeIfPresent(Double.self, forKey: .momentum) ?? d.momentum,
                  clipNorm: try c.decodeIfPresent(Double.self, forKey: .clipNorm),
                  seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed,
                  checkpointEvery: try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? d.checkpointEvery,
                  maxAttempts: try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? d.maxAttempts,
                  maxBatchesPerEpoch: try c.decodeIfPresent(Int.self, forKey: .maxBatchesPerEpoch),
                  fullBatch: try c.decodeIfPresent(Bool.self, forKey: .fullBatch) ?? d.fullBatch,
                  threads: try c.decodeIfPresent(Int.self, forKey: .threads) ?? d.threads)
    }

    /// `full_batch` and `threads` are written only when not at their defaults, so configs without them
    /// keep their JSON and trial ids.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(objective, forKey: .objective)
        try c.encode(sequenceLength, forKey: .sequenceLength)
        try c.encode(stride, forKey: .stride)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(optimizer, forKey: .optimizer)
        try c.encode(momentum, forKey: .momentum)
        try c.encodeIfPresent(clipNorm, forKey: .clipNorm)
        try c.encode(seed, forKey: .seed)
        try c.encode(checkpointEvery, forKey: .checkpointEvery)
        try c.encode(maxAttempts, forKey: .maxAttempts)
        try c.encodeIfPresent(maxBatchesPerEpoch, forKey: .maxBatchesPerEpoch)
        if fullBatch { try c.encode(fullBatch, forKey: .fullBatch) }
        if threads != 1 { try c.encode(threads, forKey: .threads) }
    }
}
