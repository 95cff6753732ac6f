import SweepProtocol

/// A connected worker, named by its socket identity (unique per worker process start).
public struct WorkerID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: WorkerID, b: WorkerID) -> Bool { a.rawValue < b.rawValue }
}

/// Final status of a trial as the store records it.
public enum TrialOutcome: String, Sendable, Codable, CaseIterable {
    case done
    case diverged
    case configError = "config_error"
    case failed
    /// An early-stopping rule or the budget stopped it; ASHA may promote it later.
    case stopped
}

/// Lifecycle of one trial inside the scheduler.
public enum TrialPhase: Sendable, Equatable {
    case queued
    case running(worker: WorkerID, attempt: Int)
    /// Was running when the coordinator restarted; waiting for its worker to say HELLO.
    case orphaned(attempt: Int)
    case finished(TrialOutcome, attempt: Int)
}

/// A trial as the scheduler sees it: identity, retry budget, and where it would resume.
public struct ScheduledTrial: Sendable, Equatable {
    public let number: Int
    public let id: String
    public let maxAttempts: Int
    /// Configured epochs and estimated training MACs (TrainingCost): the progress watchdog's
    /// limit before the first epoch is reported. Nil: unknown (the minimum applies).
    public let epochs: Int?
    public let estimatedCost: Double?
    /// Threads the trial starts with (`training.threads`), at most its worker's cores.
    public let threads: Int
    public init(number: Int, id: String, maxAttempts: Int = 3, epochs: Int? = nil, estimatedCost: Double? = nil,
                threads: Int = 1) {
        self.threads = max(1, threads)
        self.number = number
        self.id = id
        self.maxAttempts = maxAttempts
        self.epochs = epochs
        self.estimatedCost = estimatedCost
    }

    /// Estimated FLOPs of one epoch; nil when the cost or the epochs are unknown.
    var flopsPerEpoch: Double? {
        guard let cost = estimatedCost, cost.isFinite, cost > 0, let epochs, epochs > 0 else { return nil }
        return cost / Double(epochs)
    }
}

/// Where a trial's latest checkpoint is, relative to the run folder.
public struct StoredCheckpoint: Sendable, Equatable, Codable {
    public let epoch: Int
    public let path: String
    public let sha256: String
    public init(epoch: Int, path: String, sha256: String) {
        self.epoch = epoch
        self.path = path
        self.sha256 = sha256
    }
}

/// Work handed to a worker.
public struct Assignment: Sendable, Equatable {
    public let worker: WorkerID
    public let trialID: String
    public let attempt: Int
    /// The lease id ASSIGN carries; reports about the attempt must quote it.
    public let leaseID: String
    public let resumeFrom: StoredCheckpoint?
}

/// One lease granted for an attempt of a trial: who got it. Kept after it ends, so a late result
/// can be traced to the exact lease it was produced under.
public struct Lease: Sendable, Equatable {
    /// Random, unguessable (`LeaseID.random()`); only its holder learns it, from ASSIGN.
    public let id: String
    /// The socket identity that holds it (moves when the worker re-adopts it after reconnecting).
    public var worker: WorkerID
    /// The worker process's HELLO `worker_id`, stable across its reconnects.
    public let workerName: String?
    public init(id: String, worker: WorkerID, workerName: String?) {
        self.id = id
        self.worker = worker
        self.workerName = workerName
    }
}

/// What a worker-to-coordinator message about a trial names: the trial, attempt and lease id.
public struct LeaseKey: Sendable, Hashable {
    public let trialID: String
    public let attempt: Int
    public let leaseID: String
    public init(trialID: String, attempt: Int, leaseID: String) {
        self.trialID = trialID
        self.attempt = attempt
        self.leaseID = leaseID
    }
    public init(_ claim: some LeaseClaim) {
        self.init(trialID: claim.trialId, attempt: claim.attempt, leaseID: claim.leaseId)
    }
}

/// Which kind of report is being judged: only results may come late.
public enum ReportKind: Sendable, Equatable {
    /// PROGRESS, CHECKPOINT or FAILED: only the live lease holder may send it.
    case progress
    /// RESULT (or a result-like FAILED): the holder of an expired lease may deliver it late.
    case result
}

/// Whether a report may change the store (SPEC.md §5).
public enum ReportVerdict: Sendable, Equatable {
    /// From the socket identity that holds this exact live lease.
    case holder
    /// A result from the worker that held this exact lease, which expired while the trial is
    /// still unfinished (or ended `failed`): record it and stop the live attempt, if any.
    case lateHolder
    /// This attempt's result is already recorded: acknowledge again, change nothing.
    case duplicate
    /// Drop it and tell the sender STOP with this code.
    case rejected(StopCode)
}

/// What the scheduler asks its owner to do or to report. The owner sends messages and logs;
/// the scheduler has already updated its own state.
public enum SchedulerEvent: Sendable, Equatable {
    case assign(Assignment)
    /// Tell this worker to stop working on that attempt of the trial (nil: any attempt).
    case stop(worker: WorkerID, trialID: String, attempt: Int?, code: StopCode)
    /// The attempt ended without a result; the trial is queued again (front of the queue).
    case requeued(trialID: String, attempt: Int, reason: String)
    /// Infra failures used up the trial's attempts: record it as `failed`.
    case trialFailed(trialID: String, attempts: Int, reason: String)
    case workerSuspect(WorkerID)
    case workerRecovered(WorkerID)
    case workerLost(WorkerID)
    case workerQuarantined(WorkerID)
    /// A quarantine ran out (`SchedulerPolicy.quarantineSeconds`): the worker gets work again.
    case workerReleased(WorkerID)
    /// A worker reported a running trial after a coordinator restart and keeps it.
    case adopted(worker: WorkerID, trialID: String, attempt: Int)
    /// The early-stopping rule judged the trial at `epoch` (recorded as an event; the report shows it).
    case decision(trialID: String, epoch: Int, stop: Bool, reason: String)
    /// The trial is stopped at `epoch`, its last reported epoch (its holder, if any, has been told
    /// STOP `early_stopped`): record it `stopped`. `attempt`: its last attempt (0: it never ran).
    case stopped(trialID: String, attempt: Int, epoch: Int, reason: String)
    /// A stopped trial continues: queued again, it resumes from its checkpoint of `epoch`.
    case promoted(trialID: String, epoch: Int, reason: String)
    /// The sweep's budget is spent: nothing more is assigned; running and queued trials are stopped.
    case budgetSpent(reason: String)
    /// Send THREADS: the attempt trains with more or fewer of its host's cores (elastic cores).
    case threads(CoreCommand)
    /// The attempt was paused after its checkpoint of `epoch` (its holder has been told STOP
    /// `paused`) to give its core to a waiting trial: record the attempt ended and the trial queued;
    /// it resumes from that checkpoint.
    case paused(trialID: String, attempt: Int, epoch: Int, reason: String)
}

/// Counts for progress views and completion checks.
public struct SchedulerCounts: Sendable, Equatable {
    public var queued = 0
    public var running = 0
    public var done = 0
    public var diverged = 0
    public var configError = 0
    public var failed = 0
    public var stopped = 0
    public var finished: Int { done + diverged + configError + failed + stopped }
    public var total: Int { queued + running + finished }
}
