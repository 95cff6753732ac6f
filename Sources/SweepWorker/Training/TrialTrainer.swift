import Foundation
import SweepCore

/// One trial as a worker runs it.
public struct TrialJob: Sendable {
    public var trialID: String
    public var trialNumber: Int
    public var attempt: Int
    /// The lease id of the ASSIGN; every report about the trial carries it.
    public var leaseID: String
    public var seed: UInt64
    public var config: TrialConfig
    /// The dataset's bytes on local disk (verified by hash).
    public var datasetFile: URL
    /// A checkpoint to resume from, if any.
    public var resumeFrom: URL?
    /// The trial's own folder.
    public var scratch: URL
    /// True: checkpoints are kept as files in `scratch/checkpoints` (`checkpointWritten`), as
    /// `worker train` does. False: they are handed over in memory (`checkpointEncoded`), as a sweep
    /// worker does, whose coordinator keeps the durable copy.
    public var keepsCheckpointFiles: Bool
    public init(trialID: String, trialNumber: Int, attempt: Int, leaseID: String = "", seed: UInt64, config: TrialConfig,
                datasetFile: URL, resumeFrom: URL?, scratch: URL, keepsCheckpointFiles: Bool = false) {
        self.trialID = trialID
        self.trialNumber = trialNumber
        self.attempt = attempt
        self.leaseID = leaseID
        self.seed = seed
        self.config = config
        self.datasetFile = datasetFile
        self.resumeFrom = resumeFrom
        self.scratch = scratch
        self.keepsCheckpointFiles = keepsCheckpointFiles
    }
}

/// What a trainer reports while it runs; called on the trainer's thread.
public protocol TrialEvents: AnyObject, Sendable {
    func epochEnded(_ metrics: EpochMetrics)
    /// After every training batch; must not block or allocate (the trainer's hot loop calls it).
    func batchEnded(_ progress: EpochProgress)
    /// `TrialJob.keepsCheckpointFiles`: `path` holds the complete checkpoint taken after `epoch`.
    func checkpointWritten(path: String, epoch: Int)
    /// Otherwise: the complete checkpoint (the safetensors file's bytes) taken after `epoch`.
    func checkpointEncoded(_ bytes: [UInt8], epoch: Int)
    /// The trial resumed from a checkpoint whose history's lowest validation loss is
    /// `bestValLoss` (nil: no finite one), so a later checkpoint is "best" only if it beats it.
    func resumed(bestValLoss: Double?)
    /// Polled between batches: true asks the trainer to stop.
    var isCancelled: Bool { get }
    /// Polled before every batch: the thread count (and cpus) the coordinator asked for since the
    /// last poll, or nil. Must not block or allocate.
    func threadChange() -> ThreadRequest?
    /// The trainer trains with `threads` threads from now on.
    func threadsApplied(_ threads: Int)
}

/// A thread count and its cpus (one per thread, or empty), as THREADS carries them.
public struct ThreadRequest: Sendable, Equatable {
    public var threads: Int
    public var cpus: [Int]
    public init(threads: Int, cpus: [Int] = []) { self.threads = threads; self.cpus = cpus }
}

/// Events implement the checkpoint callback their jobs ask for.
extension TrialEvents {
    public func checkpointWritten(path: String, epoch: Int) {}
    public func checkpointEncoded(_ bytes: [UInt8], epoch: Int) {}
    public func resumed(bestValLoss: Double?) {}
    public func batchEnded(_ progress: EpochProgress) {}
    public func threadChange() -> ThreadRequest? { nil }
    public func threadsApplied(_ threads: Int) {}
}

/// How a trial ended, with what it measured (the RESULT object, SPEC.md §4.2).
public enum TrialEnd: Sendable {
    case completed(ResultMetrics)
    case diverged(message: String, ResultMetrics?)
    case configError(message: String)
    case cancelled
    /// `workerFault`: the worker's own storage failed (full, over quota, read-only), not the trial.
    case infra(message: String, workerFault: Bool = false)
}

/// Trains one trial. The CharRNN adapter is `CharRNNTrialTrainer`.
public protocol TrialTrainer: Sendable {
    func run(_ job: TrialJob, events: TrialEvents) -> TrialEnd
}
