/// The training section of a trial, fully resolved.
public struct TrainingSettings: Codable, Sendable, Hashable {
    public enum Objective: String, Codable, Sendable, CaseIterable { case lastStep = "last-step", everyStep = "every-step" }
    public enum Optimizer: String, Codable, Sendable, CaseIterable { case adam, sgd }

    public var objective: Objective
    public var sequenceLength: Int
    /// Distance between window starts (last-step only).
    public var stride: Int
    public var batchSize: Int
    public var epochs: Int
    public var learningRate: Double
    public var optimizer: Optimizer
    /// SGD momentum; Adam ignores it.
    public var momentum: Double
    /// Global gradient-norm clip; nil = no clipping.
    public var clipNorm: Double?
    /// The sweep seed. A trial trains with `Trial.seed`, derived from this and the trial id.
    public var seed: UInt64
    /// Epochs between checkpoints. Not part of the trial id (it does not change results).
    public var checkpointEvery: Int
    /// Infra attempts before a trial is `failed`. Not part of the trial id.
    public var maxAttempts: Int
    /// Optional cap on batches per epoch (smoke tests).
    public var maxBatchesPerEpoch: Int?

    public init(
        objective: Objective = .everyStep, sequenceLength: Int = 50, stride: Int = 1, batchSize: Int = 64,
        epochs: Int = 10, learningRate: Double = 0.002, optimizer: Optimizer = .adam, momentum: Double = 0,
        clipNorm: Double? = nil, seed: UInt64 = 0, checkpointEvery: Int = 1, maxAttempts: Int = 3,
        maxBatchesPerEpoch: Int? = nil
    ) {
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
    }

    enum CodingKeys: String, CodingKey {
        case objective, stride, epochs, optimizer, momentum, seed
        case sequenceLength = "sequence_length"
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case clipNorm = "clip_norm"
        case checkpointEvery = "checkpoint_every"
        case maxAttempts = "max_attempts"
        case maxBatchesPerEpoch = "max_batches_per_epoch"
    }
}
