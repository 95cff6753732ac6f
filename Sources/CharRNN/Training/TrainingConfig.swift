/// Training hyperparameters in the shared snake_case vocabulary. Missing optional keys take the
/// documented defaults (stride 1, optimizer adam, momentum 0, clip_norm none, checkpoint_every 1).
public struct TrainingConfig: Codable, Sendable, Equatable {
    public var objective: Objective
    public var sequenceLength: Int
    /// Distance between window starts (last-step only).
    public var stride: Int
    public var batchSize: Int
    public var epochs: Int
    public var learningRate: Double
    public var optimizer: OptimizerKind
    /// SGD momentum.
    public var momentum: Double
    /// Global gradient-norm limit (nil = no clipping).
    public var clipNorm: Double?
    /// Write a checkpoint every this many epochs (and after the last).
    public var checkpointEvery: Int
    /// Cap on training batches (and validation batches) per epoch, for smoke tests.
    public var maxBatchesPerEpoch: Int?

    public init(objective: Objective = .lastStep, sequenceLength: Int, stride: Int = 1, batchSize: Int, epochs: Int,
                learningRate: Double, optimizer: OptimizerKind = .adam, momentum: Double = 0, clipNorm: Double? = nil,
                checkpointEvery: Int = 1, maxBatchesPerEpoch: Int? = nil) {
        self.objective = objective
        self.sequenceLength = sequenceLength
        self.stride = stride
        self.batchSize = batchSize
        self.epochs = epochs
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.momentum = momentum
        self.clipNorm = clipNorm
        self.checkpointEvery = checkpointEvery
        self.maxBatchesPerEpoch = maxBatchesPerEpoch
    }

    enum CodingKeys: String, CodingKey {
        case objective, sequenceLength = "sequence_length", stride, batchSize = "batch_size", epochs
        case learningRate = "learning_rate", optimizer, momentum, clipNorm = "clip_norm"
        case checkpointEvery = "checkpoint_every", maxBatchesPerEpoch = "max_batches_per_epoch"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(objective: try c.decodeIfPresent(Objective.self, forKey: .objective) ?? .lastStep,
                  sequenceLength: try c.decode(Int.self, forKey: .sequenceLength),
                  stride: try c.decodeIfPresent(Int.self, forKey: .stride) ?? 1,
                  batchSize: try c.decode(Int.self, forKey: .batchSize),
                  epochs: try c.decode(Int.self, forKey: .epochs),
                  learningRate: try c.decode(Double.self, forKey: .learningRate),
                  optimizer: try c.decodeIfPresent(OptimizerKind.self, forKey: .optimizer) ?? .adam,
                  momentum: try c.decodeIfPresent(Double.self, forKey: .momentum) ?? 0,
                  clipNorm: try c.decodeIfPresent(Double.self, forKey: .clipNorm),
                  checkpointEvery: try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? 1,
                  maxBatchesPerEpoch: try c.decodeIfPresent(Int.self, forKey: .maxBatchesPerEpoch))
    }

    /// Throws a `ModelConfigError` naming the first impossible field.
    public func validate() throws {
        func fail(_ f: String, _ v: Any, _ why: String) -> ModelConfigError { ModelConfigError(field: f, value: "\(v)", reason: why) }
        if sequenceLength < 1 { throw fail("sequence_length", sequenceLength, "must be >= 1") }
        if stride < 1 { throw fail("stride", stride, "must be >= 1") }
        if batchSize < 1 { throw fail("batch_size", batchSize, "must be >= 1") }
        if epochs < 1 { throw fail("epochs", epochs, "must be >= 1") }
        if !(learningRate > 0 && learningRate.isFinite) { throw fail("learning_rate", learningRate, "must be a positive number") }
        if !(momentum >= 0 && momentum < 1) { throw fail("momentum", momentum, "must be in [0, 1)") }
        if let c = clipNorm, !(c > 0 && c.isFinite) { throw fail("clip_norm", c, "must be a positive number or null") }
        if checkpointEvery < 1 { throw fail("checkpoint_every", checkpointEvery, "must be >= 1") }
        if let m = maxBatchesPerEpoch, m < 1 { throw fail("max_batches_per_epoch", m, "must be >= 1") }
    }
}

/// A prompt cut from the dataset text: `length` characters (Unicode scalars of the preprocessed
/// text) starting at `offset`.
public struct PromptSlice: Codable, Sendable, Equatable {
    public var offset: Int
    public var length: Int
    public init(offset: Int, length: Int) { self.offset = offset; self.length = length }
}

/// What to generate after training.
public struct GenerationConfig: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable {
        /// Re-run the last L characters from a zero state for every new character (the originals').
        case window
        /// Carry the recurrent state: O(1) per character.
        case stateful
    }

    /// Characters generated per prompt.
    public var length: Int
    public var prompts: [String]
    public var promptSlices: [PromptSlice]
    public var mode: Mode
    /// 0 = greedy (argmax); otherwise sampling from softmax(logits / temperature).
    public var temperature: Double

    public init(length: Int = 1000, prompts: [String] = [], promptSlices: [PromptSlice] = [], mode: Mode = .window,
                temperature: Double = 0) {
        self.length = length
        self.prompts = prompts
        self.promptSlices = promptSlices
        self.mode = mode
        self.temperature = temperature
    }

    enum CodingKeys: String, CodingKey {
        case length, prompts, promptSlices = "prompt_slices", mode, temperature
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(length: try c.decodeIfPresent(Int.self, forKey: .length) ?? 1000,
                  prompts: try c.decodeIfPresent([String].self, forKey: .prompts) ?? [],
                  promptSlices: try c.decodeIfPresent([PromptSlice].self, forKey: .promptSlices) ?? [],
                  mode: try c.decodeIfPresent(Mode.self, forKey: .mode) ?? .window,
                  temperature: try c.decodeIfPresent(Double.self, forKey: .temperature) ?? 0)
    }

    public func validate() throws {
        if length < 0 { throw ModelConfigError(field: "generate.length", value: "\(length)", reason: "must be >= 0") }
        if !(temperature >= 0 && temperature.isFinite) {
            throw ModelConfigError(field: "generate.temperature", value: "\(temperature)", reason: "must be >= 0")
        }
        if let p = prompts.firstIndex(where: \.isEmpty) {
            throw ModelConfigError(field: "generate.prompts[\(p)]", value: "\"\"", reason: "a prompt needs at least one character")
        }
        for (i, s) in promptSlices.enumerated() where s.offset < 0 || s.length < 1 {
            throw ModelConfigError(field: "generate.prompt_slices[\(i)]", value: "{offset: \(s.offset), length: \(s.length)}",
                                   reason: "offset must be >= 0 and length >= 1")
        }
    }
}
