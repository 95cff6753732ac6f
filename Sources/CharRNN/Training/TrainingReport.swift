/// How a run ended.
public enum TrainingStatus: String, Codable, Sendable {
    case completed
    /// A non-finite loss (NaN/inf): a result, not an error.
    case diverged
    /// The observer asked to stop; the latest checkpoint is the resume point.
    case cancelled
}

/// The result of a trial (the RESULT message, a results.csv row). Loss, accuracy and perplexity are
/// the last completed epoch's; `best_epoch`/`best_val_loss` the epoch with the lowest validation loss.
/// Non-finite numbers are encoded as null (JSON has no NaN).
public struct TrainingReport: Codable, Sendable, Equatable {
    public var status: TrainingStatus
    /// Why the run diverged (epoch, batch, the loss value), nil otherwise.
    public var message: String?
    public var objective: Objective
    public var split: SplitKind
    /// Epochs completed.
    public var epochs: Int
    public var bestEpoch: Int?
    public var bestValLoss: Double?
    public var trainLoss: Double?
    public var valLoss: Double?
    public var valAccuracy: Double?
    public var valPerplexity: Double?
    /// 100·(val − train)/train.
    public var overfitPct: Double?
    public var trainingSeconds: Double
    public var inferenceSecondsPer1000Chars: Double?
    public var msPerChar: Double?
    public var parameters: Int
    public var sizeMB: Double
    public var macsPerChar: Int
    /// Total training FLOPs of the epochs run (6 × forward matmul MACs × examples, see ModelCost).
    public var trainingFLOPs: Double
    public var tokensPerSecond: Double?
    /// Prompt + generated text, one per prompt.
    public var samples: [String]
    public var history: [EpochMetrics]

    enum CodingKeys: String, CodingKey {
        case status, message, objective, split, epochs, bestEpoch = "best_epoch", bestValLoss = "best_val_loss"
        case trainLoss = "train_loss", valLoss = "val_loss", valAccuracy = "val_accuracy"
        case valPerplexity = "val_perplexity", overfitPct = "overfit_pct", trainingSeconds = "training_seconds"
        case inferenceSecondsPer1000Chars = "inference_seconds_per_1000_chars", msPerChar = "ms_per_char"
        case parameters, sizeMB = "size_mb", macsPerChar = "macs_per_char", trainingFLOPs = "training_flops"
        case tokensPerSecond = "tokens_per_second", samples, history
    }
}

/// Receives progress from `TrainingSession.run` on the training thread. Calls are synchronous: the
/// trainer waits for them to return.
public protocol TrainingObserver: AnyObject {
    func epochEnded(_ metrics: EpochMetrics)
    /// With `CheckpointDestination.directory`: `path` holds the complete checkpoint during the call;
    /// it is replaced by the next checkpoint.
    func checkpointWritten(path: String, epoch: Int)
    /// With `CheckpointDestination.observer`: the complete checkpoint file's bytes (safetensors).
    func checkpointEncoded(_ bytes: [UInt8], epoch: Int)
    /// After every training batch, on the training thread: keep it cheap (a few stores under a
    /// lock); throttling is the observer's business.
    func batchEnded(_ progress: EpochProgress)
    /// Polled between batches; true stops the run with status `cancelled`.
    var isCancelled: Bool { get }
}

/// Observers implement the checkpoint callback of the destination they run with.
extension TrainingObserver {
    public func batchEnded(_ progress: EpochProgress) {}
    public func checkpointWritten(path: String, epoch: Int) {}
    public func checkpointEncoded(_ bytes: [UInt8], epoch: Int) {}
}
