/// How a run ended.
public enum TrainingStatus: String, Codable, Sendable {
    case completed
    /// A non-finite loss (NaN/inf): a result, not an error.
    case diverged
    /// The observer asked to stop; the latest checkpoint is the resume point.
    case cancelled
}

/// What a training run produced: how it ended, the model's size, and what it measured (the RESULT
/// object: loss, accuracy and perplexity of the last completed epoch, `best_epoch`/`best_val_loss`
/// of the lowest validation loss; a non-finite value is nil; `message` says why a run diverged).
public struct TrainingReport: Sendable, Equatable {
    public var status: TrainingStatus
    public var objective: Objective
    public var split: SplitKind
    public var parameters: Int
    public var metrics: ResultMetrics
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
    /// Polled before every training batch: a new thread count (and cpus) to train with from this
    /// batch on, or nil. Must not block or allocate.
    func threadChange() -> ThreadPlacement?
    /// The run trains with `threads` threads from now on (at its start and after each change).
    func threadsApplied(_ threads: Int)
}

/// How many threads a trainer runs and where: `cpus` lists one cpu id per thread (the training
/// thread first), or is empty to leave placement to the process's affinity.
public struct ThreadPlacement: Sendable, Equatable {
    public var threads: Int
    public var cpus: [Int]
    public init(threads: Int, cpus: [Int] = []) { self.threads = threads; self.cpus = cpus }
}

/// Observers implement the checkpoint callback of the destination they run with.
extension TrainingObserver {
    public func batchEnded(_ progress: EpochProgress) {}
    public func checkpointWritten(path: String, epoch: Int) {}
    public func checkpointEncoded(_ bytes: [UInt8], epoch: Int) {}
    public func threadChange() -> ThreadPlacement? { nil }
    public func threadsApplied(_ threads: Int) {}
}
