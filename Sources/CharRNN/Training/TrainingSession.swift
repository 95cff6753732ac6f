import Foundation

/// One trial, start to finish: builds the corpus, batches and model from a configuration (or from a
/// checkpoint), trains with per-epoch evaluation and checkpoints, then generates samples and
/// measures inference speed. The worker's entry point. Not thread-safe; run it on one thread.
public final class TrainingSession {
    public let corpus: Corpus
    public let model: CharRNNModel
    public let training: TrainingConfig
    public let split: SplitSpec
    public let generation: GenerationConfig
    public let seed: UInt64
    let trainer: Trainer
    private let prompts: [[Int32]]

    /// A fresh trial. `model.vocabSize` is replaced by the corpus's vocabulary size. Throws
    /// `ModelConfigError` / `DataError` naming the bad field or value.
    /// `unknownToken` adds d2l's `<unk>` to the vocabulary.
    public convenience init(text: String, preprocessing: Preprocessing = .none, unknownToken: Bool = false, model: ModelConfig,
                            training: TrainingConfig, split: SplitSpec = SplitSpec(), generation: GenerationConfig = GenerationConfig(),
                            seed: UInt64) throws {
        let corpus = Corpus(text: text, preprocessing: preprocessing, unknownToken: unknownToken)
        var config = model
        config.vocabSize = corpus.vocabulary.count
        try self.init(corpus: corpus, model: config, training: training, split: split, generation: generation, seed: seed)
        var rng = SeededGenerator(seed: seed)
        self.model.initializeParameters(rng: &rng)
    }

    /// Continues a trial from a checkpoint written by `run`, on the same dataset text (the saved
    /// vocabulary is reused). The continued run is bit-for-bit the uninterrupted one.
    public convenience init(resumingFrom checkpointPath: String, text: String) throws {
        try self.init(resuming: try TrainingCheckpoint.read(path: checkpointPath), text: text)
    }

    /// `init(resumingFrom:text:)` from a checkpoint already read.
    public convenience init(resuming checkpoint: TrainingCheckpoint, text: String) throws {
        let corpus = try Corpus(text: text, vocabulary: checkpoint.vocabulary, preprocessing: checkpoint.preprocessing)
        try self.init(corpus: corpus, model: checkpoint.model, training: checkpoint.training, split: checkpoint.split,
                      generation: checkpoint.generation, seed: checkpoint.seed)
        try checkpoint.restore(into: trainer)
    }

    private init(corpus: Corpus, model config: ModelConfig, training: TrainingConfig, split: SplitSpec,
                 generation: GenerationConfig, seed: UInt64) throws {
        try config.validate()
        try training.validate()
        try split.validate()
        try generation.validate()
        self.corpus = corpus
        self.training = training
        self.split = split
        self.generation = generation
        self.seed = seed
        let batches = try BatchSource(tokens: corpus.tokens, training: training, split: split, seed: seed)
        model = try CharRNNModel(config: config, maxBatch: batches.rowsPerBatch, maxSteps: training.sequenceLength,
                                   objective: training.objective)
        trainer = Trainer(model: model, training: training, batches: batches, seed: seed)

        // Prompts: the given strings, then the slices of the text; by default the text's first L characters.
        var prompts: [[Int32]] = []
        for (i, p) in generation.prompts.enumerated() {
            do { prompts.append(try corpus.vocabulary.encode(corpus.preprocessing.apply(to: p))) } catch {
                throw ModelConfigError(field: "generate.prompts[\(i)]", value: "\"\(p.prefix(40))\"", reason: "\(error)")
            }
            if prompts[prompts.count - 1].isEmpty {
                throw ModelConfigError(field: "generate.prompts[\(i)]", value: "\"\(p.prefix(40))\"", reason: "empty after preprocessing")
            }
        }
        for (i, s) in generation.promptSlices.enumerated() {
            guard s.offset + s.length <= corpus.tokens.count else {
                throw ModelConfigError(field: "generate.prompt_slices[\(i)]", value: "{offset: \(s.offset), length: \(s.length)}",
                                       reason: "beyond the text's \(corpus.tokens.count) characters")
            }
            prompts.append(Array(corpus.tokens[s.offset..<(s.offset + s.length)]))
        }
        if prompts.isEmpty { prompts.append(Array(corpus.tokens.prefix(training.sequenceLength))) }
        self.prompts = prompts
    }

    /// Epochs completed so far (non-zero after resuming).
    public var epochsCompleted: Int { trainer.epoch }

    /// Threads each training step is split over; starts at the config's `threads`.
    public var threads: Int { trainer.threads }

    /// Trains (and evaluates) from now on with `count` threads on `cpus` (one per thread, or empty);
    /// call before `run` or between epochs. During `run` the observer's `threadChange` changes it
    /// between batches. Results are bit-identical at every count.
    public func useThreads(_ count: Int, cpus: [Int] = []) throws {
        guard (1...ThreadPool.maximumSize).contains(count) else {
            throw ModelConfigError(field: "threads", value: "\(count)", reason: "must be in 1...\(ThreadPool.maximumSize)")
        }
        trainer.setThreads(count, cpus: cpus)
    }
    public var history: [EpochMetrics] { trainer.history }

    /// Trains the remaining epochs, writing `epoch-NNNN.safetensors` into `checkpointDirectory` (if
    /// given) every `checkpoint_every` epochs and after the last; only the newest file is kept. Then,
    /// unless cancelled or diverged, generates one sample per prompt and times it.
    /// Divergence and cancellation are statuses, not errors; errors are I/O (checkpoint writing).
    public func run(observer: TrainingObserver? = nil, checkpointDirectory: String? = nil) throws -> TrainingReport {
        try run(observer: observer, checkpoints: checkpointDirectory.map { .directory($0) })
    }

    /// `run`, with checkpoints going to `checkpoints` (none when nil): durable files, or bytes handed
    /// to the observer when the caller stores them elsewhere (a sweep worker sends them to the
    /// coordinator, whose copy is the durable one, so writing, fsyncing and re-reading a local file
    /// would only cost time).
    public func run(observer: TrainingObserver? = nil, checkpoints: CheckpointDestination?) throws -> TrainingReport {
        if case .directory(let dir)? = checkpoints {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        var status = TrainingStatus.completed
        var message: String?
        var previousCheckpoint: String?
        epochs: while trainer.epoch < training.epochs {
            // Between batches the observer may change the thread count (elastic cores).
            switch trainer.runEpoch(isCancelled: { observer?.isCancelled ?? false }, batchEnded: { observer?.batchEnded($0) },
                                    threadChange: { observer?.threadChange() }, threadsApplied: { observer?.threadsApplied($0) }) {
            case let .completed(metrics):
                observer?.epochEnded(metrics)
                let last = trainer.epoch == training.epochs
                let due = last || trainer.epoch % training.checkpointEvery == 0
                if due, case .directory(let dir)? = checkpoints {
                    let path = (dir as NSString).appendingPathComponent(String(format: "epoch-%04d.safetensors", trainer.epoch))
                    try checkpoint().file.write(to: path)
                    observer?.checkpointWritten(path: path, epoch: trainer.epoch)
                    if let old = previousCheckpoint, old != path { try? FileManager.default.removeItem(atPath: old) }
                    previousCheckpoint = path
                } else if due, checkpoints == .observer, let observer {
                    let file = try checkpoint().file
                    try file.validate()
                    observer.checkpointEncoded(file.encoded(), epoch: trainer.epoch)
                }
            case let .diverged(why):
                status = .diverged
                message = why
                break epochs
            case .cancelled:
                status = .cancelled
                break epochs
            }
        }
        var samples: [String] = []
        var inferenceSeconds: Double?
        var msPerChar: Double?
        if status == .completed {
            let timing = generateSamples()
            samples = timing.samples
            if timing.characters > 0 {
                inferenceSeconds = timing.seconds / Double(timing.characters) * 1000
                msPerChar = timing.seconds / Double(timing.characters) * 1000
            }
        }
        return report(status: status, message: message, samples: samples, inferenceSecondsPer1000: inferenceSeconds, msPerChar: msPerChar)
    }

    /// The current state as a checkpoint (written by `run`; exposed for tests and tools).
    public func checkpoint() throws -> TrainingCheckpoint {
        try TrainingCheckpoint(trainer: trainer, split: split, preprocessing: corpus.preprocessing, generation: generation,
                               vocabulary: corpus.vocabulary, seed: seed)
    }

    /// Generates `generation.length` characters after each prompt; returns prompt + continuation.
    public func generateSamples() -> (samples: [String], characters: Int, seconds: Double) {
        let generator = TextGenerator(model: model, window: training.sequenceLength)
        var rng = SeededGenerator(seed: seed ^ 0x5341_4D50_4C45_0000)  // "SAMPLE"
        let clock = ContinuousClock()
        var samples: [String] = []
        var characters = 0
        var seconds = 0.0
        for prompt in prompts {
            let start = clock.now
            let ids = generator.generate(prompt: prompt, length: generation.length, mode: generation.mode,
                                         temperature: generation.temperature, rng: &rng)
            seconds += (clock.now - start).seconds
            characters += ids.count
            samples.append(corpus.vocabulary.decode(prompt + ids))
        }
        return (samples, characters, seconds)
    }

    private func report(status: TrainingStatus, message: String?, samples: [String], inferenceSecondsPer1000: Double?,
                        msPerChar: Double?) -> TrainingReport {
        func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
        let last = trainer.history.last
        let best = trainer.bestEpoch
        let config = model.config
        let tokensPerSecond = trainer.history.isEmpty ? nil
            : trainer.history.reduce(0.0) { $0 + $1.tokensPerSecond } / Double(trainer.history.count)
        let metrics = ResultMetrics(
            epochsRun: trainer.epoch, bestEpoch: best?.epoch, bestValLoss: finite(best?.valLoss),
            trainLoss: finite(last?.trainLoss), valLoss: finite(last?.valLoss), valAccuracy: finite(last?.valAccuracy),
            valPerplexity: finite(last?.valPerplexity),
            overfitPct: finite(last.map { 100 * ($0.valLoss - $0.trainLoss) / $0.trainLoss }),
            trainingSeconds: trainer.trainingSeconds, inferenceSecondsPer1000: inferenceSecondsPer1000,
            msPerChar: msPerChar, sizeMB: config.sizeMB, macsPerChar: Double(config.macsPerChar),
            trainingFlops: trainer.trainingFLOPs, tokensPerSecond: finite(tokensPerSecond), samples: samples,
            history: trainer.history, message: message)
        return TrainingReport(status: status, objective: training.objective, split: split.kind,
                              parameters: config.parameterCount, metrics: metrics)
    }
}

/// Where `TrainingSession.run` puts the checkpoints it takes every `checkpoint_every` epochs and
/// after the last.
public enum CheckpointDestination: Sendable, Equatable {
    /// `epoch-NNNN.safetensors` files in this folder, written atomically and fsynced; only the
    /// newest is kept. The observer hears `checkpointWritten(path:epoch:)`.
    case directory(String)
    /// Nothing is written; the observer gets the encoded file in `checkpointEncoded(_:epoch:)`.
    case observer
}
