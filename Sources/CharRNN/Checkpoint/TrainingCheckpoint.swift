import Foundation

/// A trial's complete training state in one safetensors file:
/// - the model's `state_dict()` under PyTorch's names (F32; `num_batches_tracked` I64, shape []),
///   so `model.load_state_dict(load_file(path), strict=False)` works (and `strict=True` after
///   dropping the `__`-prefixed entries, as tools/reference/load_checkpoint.py does);
/// - optimizer state as `__adam__.m.<name>`, `__adam__.v.<name>` or `__sgd__.momentum_buffer.<name>`;
/// - the dropout generator as `__state__.dropout_rng` (U64 [4]);
/// - `__metadata__`: `format`, `config` (model keys + vocab_size), `training`, `split`, `dataset`
///   ({"preprocess", "unk_token" when set}), `generate`, `vocabulary` (JSON string of the symbols in id order), `seed`,
///   `state` (JSON: epoch, step, batch_cursor, best_epoch, best_val_loss, training_seconds,
///   training_flops, history).
/// Checkpoints are written at epoch boundaries, so `batch_cursor` is 0.
public struct TrainingCheckpoint: Sendable {
    public static let format = "rnnsweep-checkpoint/1"

    public var model: ModelConfig
    public var training: TrainingConfig
    public var split: SplitSpec
    public var preprocessing: Preprocessing
    public var generation: GenerationConfig
    public var vocabulary: Vocabulary
    public var seed: UInt64
    public var state: State
    /// The tensors (parameters, buffers, optimizer moments, RNG).
    public var file: SafeTensorsFile

    public struct State: Codable, Sendable, Equatable {
        public var epoch: Int
        public var step: Int
        public var batchCursor: Int
        public var bestEpoch: Int?
        public var bestValLoss: Double?
        public var trainingSeconds: Double
        public var trainingFLOPs: Double
        public var history: [EpochMetrics]

        enum CodingKeys: String, CodingKey {
            case epoch, step, batchCursor = "batch_cursor", bestEpoch = "best_epoch", bestValLoss = "best_val_loss"
            case trainingSeconds = "training_seconds", trainingFLOPs = "training_flops", history
        }
    }

    /// `unk_token` (written only when the vocabulary has d2l's `<unk>`) is informative: the saved
    /// vocabulary itself holds the token, and a resumed trial reuses it.
    struct Dataset: Codable {
        var preprocess: Preprocessing
        var unkToken: Bool?
        enum CodingKeys: String, CodingKey { case preprocess, unkToken = "unk_token" }
    }

    /// Reads and checks a checkpoint; errors name the file and what is wrong.
    public static func read(path: String) throws -> TrainingCheckpoint {
        try TrainingCheckpoint(file: try SafeTensorsFile.read(path: path))
    }

    /// The optimizer-state tensor name for a parameter.
    static func optimizerTensorName(_ optimizer: OptimizerKind, array: String, parameter: String) -> String {
        optimizer == .adam ? "__adam__.\(array).\(parameter)" : "__sgd__.\(array).\(parameter)"
    }

    static let rngTensor = "__state__.dropout_rng"
}

extension TrainingCheckpoint {
    /// Parses and checks checkpoint bytes (e.g. an upload before it is written anywhere); errors
    /// name `source`. `memo` keeps decoded metadata for the next checkpoint that repeats it.
    public init(bytes: [UInt8], source: String, memo: CheckpointMetadataMemo? = nil) throws {
        try self.init(file: try SafeTensorsFile(bytes: bytes, source: source), memo: memo)
    }

    init(file: SafeTensorsFile, memo: CheckpointMetadataMemo? = nil) throws {
        let path = file.source
        func meta(_ key: String) throws -> String {
            guard let value = file.metadata[key] else {
                throw CheckpointError(file: path, problem: "__metadata__ has no '\(key)' entry")
            }
            return value
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String, memoized: Bool = true) throws -> T {
            let text = try meta(key)
            do {
                guard memoized, let memo else { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) }
                return try memo.value(T.self, key: key, text: text)
            } catch {
                throw CheckpointError(file: path, problem: "__metadata__ '\(key)' is not valid: \(error)")
            }
        }
        let format = try meta("format")
        guard format == Self.format else {
            throw CheckpointError(file: path, problem: "format '\(format)' is not \(Self.format)")
        }
        let seedText = try meta("seed")
        guard let seed = UInt64(seedText) else { throw CheckpointError(file: path, problem: "seed '\(seedText)' is not an integer") }
        // The state differs in every checkpoint: never memoized.
        self.init(
            model: try decode(ModelConfig.self, "config"), training: try decode(TrainingConfig.self, "training"),
            split: try decode(SplitSpec.self, "split"), preprocessing: try decode(Dataset.self, "dataset").preprocess,
            generation: try decode(GenerationConfig.self, "generate"), vocabulary: try decode(Vocabulary.self, "vocabulary"),
            seed: seed, state: try decode(State.self, "state", memoized: false), file: file)
    }
}

extension TrainingCheckpoint {
    /// Captures a trainer's state (call at an epoch boundary).
    init(trainer: Trainer, split: SplitSpec, preprocessing: Preprocessing, generation: GenerationConfig,
         vocabulary: Vocabulary, seed: UInt64) throws {
        let store = trainer.model.store
        var file = SafeTensorsFile()
        // stateDictOrder lists the store's own names, so a lookup that misses is a bug in the store.
        func missing(_ what: String, _ name: String) -> CheckpointError {
            CheckpointError(file: "<memory>", problem: "the model's \(what) '\(name)' is not in its parameter store")
        }
        for (name, kind) in store.stateDictOrder {
            switch kind {
            case .parameter:
                guard let s = store.parameter(name) else { throw missing("parameter", name) }
                file.set(try TensorEntry(name: name, shape: s.shape, float32: UnsafeBufferPointer(store.value(name))))
            case .buffer:
                guard let s = store.buffer(name) else { throw missing("buffer", name) }
                file.set(try TensorEntry(name: name, shape: s.shape, float32: UnsafeBufferPointer(store.bufferValue(name))))
            case .counter:
                guard let i = store.counterNames.firstIndex(of: name), store.batchesTracked.indices.contains(i) else {
                    throw missing("counter", name)
                }
                file.set(try TensorEntry(name: name, shape: [], int64: [store.batchesTracked[i]]))
            }
        }
        for (array, values) in trainer.optimizer.stateArrays {
            for s in store.parameters {
                file.set(try TensorEntry(
                    name: Self.optimizerTensorName(trainer.training.optimizer, array: array, parameter: s.name), shape: s.shape,
                    float32: UnsafeBufferPointer(start: values + s.offset, count: s.count)))
            }
        }
        file.set(try TensorEntry(name: Self.rngTensor, shape: [4], uint64: trainer.dropoutRNG.words))

        let best = trainer.bestEpoch
        let state = State(epoch: trainer.epoch, step: trainer.optimizer.step, batchCursor: 0, bestEpoch: best?.epoch,
                          bestValLoss: best?.valLoss, trainingSeconds: trainer.trainingSeconds,
                          trainingFLOPs: trainer.trainingFLOPs, history: trainer.history)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func json<T: Encodable>(_ v: T) throws -> String { String(decoding: try encoder.encode(v), as: UTF8.self) }
        file.metadata = [
            "format": Self.format,
            "config": try json(trainer.model.config),
            "training": try json(trainer.training),
            "split": try json(split),
            "dataset": try json(Dataset(preprocess: preprocessing, unkToken: vocabulary.unknownID == nil ? nil : true)),
            "generate": try json(generation),
            "vocabulary": try json(vocabulary),
            "seed": String(seed),
            "state": try json(state),
        ]
        self.init(model: trainer.model.config, training: trainer.training, split: split, preprocessing: preprocessing,
                  generation: generation, vocabulary: vocabulary, seed: seed, state: state, file: file)
    }

    /// Loads parameters, buffers, optimizer state, RNG and history into a trainer built from the
    /// same configuration. Every tensor must be present with its exact shape.
    func restore(into trainer: Trainer) throws {
        let store = trainer.model.store
        let path = file.source
        func load(_ name: String, shape: [Int], into dst: UnsafeMutableBufferPointer<Float>) throws {
            guard let entry = file[name] else { throw CheckpointError(file: path, problem: "tensor '\(name)' is missing") }
            guard entry.shape == shape, entry.dtype == .F32 else {
                throw CheckpointError(file: path, problem: "tensor '\(name)' is \(entry.dtype) \(entry.shape), expected F32 \(shape)")
            }
            try entry.copyFloat32(into: dst)
        }
        for s in store.parameters { try load(s.name, shape: s.shape, into: store.value(s.name)) }
        for s in store.buffers { try load(s.name, shape: s.shape, into: store.bufferValue(s.name)) }
        for (i, name) in store.counterNames.enumerated() {
            guard let entry = file[name], entry.dtype == .I64, entry.elementCount == 1 else {
                throw CheckpointError(file: path, problem: "tensor '\(name)' is missing or not an I64 scalar")
            }
            store.batchesTracked[i] = try entry.int64()[0]
        }
        for (array, values) in trainer.optimizer.stateArrays {
            for s in store.parameters {
                try load(Self.optimizerTensorName(trainer.training.optimizer, array: array, parameter: s.name), shape: s.shape,
                         into: UnsafeMutableBufferPointer(start: values + s.offset, count: s.count))
            }
        }
        guard let rng = file[Self.rngTensor], rng.dtype == .U64, rng.elementCount == 4 else {
            throw CheckpointError(file: path, problem: "tensor '\(Self.rngTensor)' is missing or not U64 [4]")
        }
        trainer.dropoutRNG = SeededGenerator(words: try rng.uint64())
        trainer.optimizer.step = state.step
        trainer.epoch = state.epoch
        trainer.history = state.history
        trainer.trainingSeconds = state.trainingSeconds
        trainer.trainingFLOPs = state.trainingFLOPs
    }
}
