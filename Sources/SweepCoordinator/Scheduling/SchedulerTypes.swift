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
    public init(number: Int, id: String, maxAttempts: Int = 3) {
        self.number = number
        self.id = id
        self.maxAttempts = maxAttempts
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
    public let resumeFrom: StoredCheckpoint?
}

/// What the scheduler asks its owner to do or to report. The owner sends messages and logs;
/// the scheduler has already updated its own state.
public enum SchedulerEvent: Sendable, Equatable {
    case assign(Assignment)
    /// Tell this worker to stop working on the trial (it lost the race or its lease).
    case stop(worker: WorkerID, trialID: String)
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
}

/// What to do with a RESULT (or a result-like FAILED) — DESIGN §4 "Delivery".
public enum ResultDisposition: Sendable, Equatable {
    /// First result of this trial: commit it to the store, then call `resultCommitted`, then ACK.
    case commit
    /// This very attempt's result was already committed: ACK again, change nothing.
    case duplicate
    /// Another attempt already won: ACK (so the sender's outbox forgets it), change nothing, STOP it.
    case superseded(winningAttempt: Int)
    /// The trial is not part of this sweep: log and drop.
    case unknownTrial
}

/// Counts for progress views and completion checks.
public struct SchedulerCounts: Sendable, Equatable {
    public var queued = 0
    public var running = 0
    public var done = 0
    public var diverged = 0
    public var configError = 0
    public var failed = 0
    public var finished: Int { done + diverged + configError + failed }
    public var total: Int { queued + running + finished }
}
