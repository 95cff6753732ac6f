// Configs, metrics and results on the wire are TrialSpec's; the protocol's clients use them as its own.
@_exported import TrialSpec

/// Header structs, one per command (SPEC.md §3). JSON keys are snake_case; non-finite doubles
/// travel as "nan"/"inf"/"-inf". Field ranges are checked by `validate()` when decoding.

/// A worker-to-coordinator message about a trial names the lease it works under: the trial, the
/// attempt and the lease id of its ASSIGN. Only the holder of that lease may write (SPEC.md §5).
public protocol LeaseClaim: Sendable {
    var trialId: String { get }
    var attempt: Int { get }
    var leaseId: String { get }
}

/// The trial a (re)connecting worker is still training.
public struct RunningTrial: Sendable, Hashable, Codable, LeaseClaim {
    public var trialId: String
    public var attempt: Int
    public var leaseId: String
    /// The last epoch it finished (0: none yet).
    public var epoch: Int
    public init(trialId: String, attempt: Int, leaseId: String, epoch: Int) {
        self.trialId = trialId; self.attempt = attempt; self.leaseId = leaseId; self.epoch = epoch
    }
    enum CodingKeys: String, CodingKey { case trialId = "trial_id", attempt, leaseId = "lease_id", epoch }
}

/// HELLO, worker to coordinator.
public struct Hello: Sendable, Hashable, Codable {
    public var workerId: String
    public var host: String
    public var cores: Int
    public var build: String
    public var protocolVersion: Int
    public var running: RunningTrial?
    /// The cpu ids the worker may run on (its affinity), if known: the coordinator lends them
    /// between workers of one host.
    public var cpus: [Int]?
    /// Assignments the worker holds while it trains (0 or 1; absent: 0), SPEC.md §3.5.
    public var prefetch: Int?
    public init(workerId: String, host: String, cores: Int, build: String,
                protocolVersion: Int = SweepProtocol.protocolVersion, running: RunningTrial? = nil, cpus: [Int]? = nil,
                prefetch: Int? = nil) {
        self.workerId = workerId; self.host = host; self.cores = cores; self.build = build
        self.protocolVersion = protocolVersion; self.running = running; self.cpus = cpus; self.prefetch = prefetch
    }
    enum CodingKeys: String, CodingKey {
        case workerId = "worker_id", host, cores, build, protocolVersion = "protocol_version", running, cpus, prefetch
    }
}

/// WELCOME, coordinator to worker.
public struct Welcome: Sendable, Hashable, Codable {
    public var coordinatorId: String
    /// Seconds between heartbeats.
    public var heartbeatInterval: Double
    public init(coordinatorId: String, heartbeatInterval: Double = 1) {
        self.coordinatorId = coordinatorId; self.heartbeatInterval = heartbeatInterval
    }
    enum CodingKeys: String, CodingKey { case coordinatorId = "coordinator_id", heartbeatInterval = "heartbeat_interval" }
}

/// READY, worker to coordinator.
public struct Ready: Sendable, Hashable, Codable {
    public var slots: Int
    /// ASSIGNs the worker had received on this connection when it wrote READY: fewer than the
    /// coordinator sent means one is on its way (SPEC.md §3.5).
    public var assigned: Int?
    public init(slots: Int = 1, assigned: Int? = nil) { self.slots = slots; self.assigned = assigned }
}

/// A dataset named by content hash.
public struct DatasetRef: Sendable, Hashable, Codable {
    public var name: String
    public var sha256: String
    public var bytes: Int
    public init(name: String, sha256: String, bytes: Int) { self.name = name; self.sha256 = sha256; self.bytes = bytes }
}

/// The checkpoint an assignment resumes from; its bytes are the ASSIGN payload.
public struct CheckpointRef: Sendable, Hashable, Codable {
    public var epoch: Int
    public var sha256: String
    public init(epoch: Int, sha256: String) { self.epoch = epoch; self.sha256 = sha256 }
}

/// ASSIGN, coordinator to worker.
public struct Assign: Sendable, Hashable, Codable, LeaseClaim {
    public var trialId: String
    public var trialNumber: Int
    public var attempt: Int
    public var leaseId: String
    public var leaseSeconds: Double
    /// The trial's config, in TrialSpec's snake_case JSON form (SPEC.md §4.1).
    public var config: TrialConfig
    public var seed: UInt64
    public var dataset: DatasetRef
    public var resumeCheckpoint: CheckpointRef?
    public init(trialId: String, trialNumber: Int, attempt: Int, leaseId: String, leaseSeconds: Double,
                config: TrialConfig, seed: UInt64, dataset: DatasetRef, resumeCheckpoint: CheckpointRef? = nil) {
        self.trialId = trialId; self.trialNumber = trialNumber; self.attempt = attempt; self.leaseId = leaseId
        self.leaseSeconds = leaseSeconds; self.config = config; self.seed = seed; self.dataset = dataset
        self.resumeCheckpoint = resumeCheckpoint
    }
    enum CodingKeys: String, CodingKey {
        case trialId = "trial_id", trialNumber = "trial_number", attempt, leaseId = "lease_id",
             leaseSeconds = "lease_seconds", config, seed, dataset, resumeCheckpoint = "resume_checkpoint"
    }

    public func encode(to encoder: any Encoder) throws {
        try encode(to: encoder, withConfig: true)
    }

    /// `withConfig: false` leaves `config` out, for a codec that splices it in already encoded.
    func encode(to encoder: any Encoder, withConfig: Bool) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(trialId, forKey: .trialId)
        try container.encode(trialNumber, forKey: .trialNumber)
        try container.encode(attempt, forKey: .attempt)
        try container.encode(leaseId, forKey: .leaseId)
        try container.encode(leaseSeconds, forKey: .leaseSeconds)
        if withConfig { try container.encode(config, forKey: .config) }
        try container.encode(seed, forKey: .seed)
        try container.encode(dataset, forKey: .dataset)
        try container.encodeIfPresent(resumeCheckpoint, forKey: .resumeCheckpoint)
    }
}

/// The lease an ASSIGN grants, read on its own when the ASSIGN's config cannot be read, so the
/// worker can still answer `FAILED` class `config` for it.
public struct AssignedLease: Sendable, Hashable, Codable, LeaseClaim {
    public var trialId: String
    public var attempt: Int
    public var leaseId: String
    public init(trialId: String, attempt: Int, leaseId: String) {
        self.trialId = trialId; self.attempt = attempt; self.leaseId = leaseId
    }
    enum CodingKeys: String, CodingKey {
        case trialId = "trial_id", attempt, leaseId = "lease_id"
    }
}

/// DATASET_REQUEST, worker to coordinator.
public struct DatasetRequest: Sendable, Hashable, Codable {
    public var sha256: String
    public init(sha256: String) { self.sha256 = sha256 }
}

/// DATASET header, coordinator to worker; the bytes are the payload.
public struct DatasetTransfer: Sendable, Hashable, Codable {
    public var sha256: String
    public var bytes: Int
    public init(sha256: String, bytes: Int) { self.sha256 = sha256; self.bytes = bytes }
}

/// PROGRESS, worker to coordinator: one finished epoch. The metrics' keys sit beside the lease's
/// in one flat header object.
public struct ProgressReport: Sendable, Hashable, Codable, LeaseClaim {
    public var trialId: String
    public var attempt: Int
    public var leaseId: String
    public var metrics: EpochMetrics
    /// Threads the epoch's last batch trained with (elastic cores; absent from older workers).
    public var threads: Int?
    public init(trialId: String, attempt: Int, leaseId: String, metrics: EpochMetrics, threads: Int? = nil) {
        self.trialId = trialId; self.attempt = attempt; self.leaseId = leaseId; self.metrics = metrics
        self.threads = threads
    }
    enum CodingKeys: String, CodingKey {
        case trialId = "trial_id", attempt, leaseId = "lease_id", threads
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        trialId = try c.decode(String.self, forKey: .trialId)
        attempt = try c.decode(Int.self, forKey: .attempt)
        leaseId = try c.decode(String.self, forKey: .leaseId)
        threads = try c.decodeIfPresent(Int.self, forKey: .threads)
        metrics = try EpochMetrics(from: decoder)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(trialId, forKey: .trialId)
        try c.encode(attempt, forKey: .attempt)
        try c.encode(leaseId, forKey: .leaseId)
        try c.encodeIfPresent(threads, forKey: .threads)
        try metrics.encode(to: encoder)
    }
}

/// CHECKPOINT header, worker to coordinator; the safetensors bytes are the payload.
public struct CheckpointUpload: Sendable, Hashable, Codable, LeaseClaim {
    public var trialId: String
    public var attempt: Int
    public var leaseId: String
    public var epoch: Int
    public var sha256: String
    public var isBest: Bool
    public var bytes: Int
    public init(trialId: String, attempt: Int, leaseId: String, epoch: Int, sha256: String, isBest: Bool, bytes: Int) {
        self.trialId = trialId; self.attempt = attempt; self.leaseId = leaseId; self.epoch = epoch; self.sha256 = sha256
        self.isBest = isBest; self.bytes = bytes
    }
    enum CodingKeys: String, CodingKey {
        case trialId = "trial_id", attempt, leaseId = "lease_id", epoch, sha256, isBest = "is_best", bytes
    }
}

/// RESULT, worker to coordinator.
public struct TrialResult: Sendable, Hashable, Codable, LeaseClaim {
    public var trialId: String
    public var attempt: Int
    public var leaseId: String
    public var status: ResultStatus
    public var result: ResultMetrics
    public init(trialId: String, attempt: Int, leaseId: String, status: ResultStatus, result: ResultMetrics) {
        self.trialId = trialId; self.attempt = attempt; self.leaseId = leaseId; self.status = status; self.result = result
    }
    enum CodingKeys: String, CodingKey { case trialId = "trial_id", attempt, leaseId = "lease_id", status, result }
}

/// RESULT_ACK, coordinator to worker: the result (or FAILED) of that attempt is committed, or was
/// already; the worker may forget it.
public struct ResultAck: Sendable, Hashable, Codable {
    public var trialId: String
    public var attempt: Int
    public var leaseId: String
    public init(trialId: String, attempt: Int, leaseId: String) {
        self.trialId = trialId; self.attempt = attempt; self.leaseId = leaseId
    }
    enum CodingKeys: String, CodingKey { case trialId = "trial_id", attempt, leaseId = "lease_id" }
}

/// Why an attempt failed (SPEC.md §6).
public enum FailureClass: String, Sendable, Hashable, Codable, CaseIterable {
    case config, diverged, infra
}

/// FAILED, worker to coordinator.
public struct Failed: Sendable, Hashable, Codable, LeaseClaim {
    public var trialId: String
    public var attempt: Int
    public var leaseId: String
    public var failureClass: FailureClass
    public var message: String
    /// What the attempt measured before it failed (a diverged run's epochs), if anything.
    public var result: ResultMetrics?
    /// An `infra` failure of the worker's own storage (its state folder is full, over quota or
    /// read-only): the worker is charged, not the trial. Absent means false.
    public var workerFault: Bool?
    public init(trialId: String, attempt: Int, leaseId: String, failureClass: FailureClass, message: String,
                result: ResultMetrics? = nil, workerFault: Bool? = nil) {
        self.trialId = trialId; self.attempt = attempt; self.leaseId = leaseId; self.failureClass = failureClass
        self.message = message; self.result = result; self.workerFault = workerFault
    }
    enum CodingKeys: String, CodingKey {
        case trialId = "trial_id", attempt, leaseId = "lease_id", failureClass = "class", message, result
        case workerFault = "worker_fault"
    }
}

/// STOP, coordinator to worker: abandon that attempt of the trial (drop its outbox entry too), or,
/// without `trialId`, everything the worker is doing and has parked.
public struct Stop: Sendable, Hashable, Codable {
    public var trialId: String?
    /// The attempt the STOP is about, when it answers a message about one.
    public var attempt: Int?
    public var code: StopCode
    /// Human text for logs; never interpreted.
    public var reason: String?
    public init(trialId: String? = nil, attempt: Int? = nil, code: StopCode, reason: String? = nil) {
        self.trialId = trialId; self.attempt = attempt; self.code = code; self.reason = reason
    }
    enum CodingKeys: String, CodingKey { case trialId = "trial_id", attempt, code, reason }
}

/// BYE, either way: orderly goodbye.
public struct Bye: Sendable, Hashable, Codable {
    public var code: ByeCode
    /// Human text for logs; never interpreted.
    public var reason: String?
    public init(code: ByeCode, reason: String? = nil) { self.code = code; self.reason = reason }
}

/// REFUSED, coordinator to worker: the worker must not retry.
public struct Refused: Sendable, Hashable, Codable {
    public var reason: String
    public var receivedVersion: Int?
    public var supportedVersion: Int?
    public init(reason: String, receivedVersion: Int? = nil, supportedVersion: Int? = nil) {
        self.reason = reason; self.receivedVersion = receivedVersion; self.supportedVersion = supportedVersion
    }
    /// The refusal for a peer speaking another protocol version; the reason names both.
    public static func versionMismatch(received: Int, supported: Int = protocolVersion) -> Refused {
        Refused(reason: "protocol version \(received) is not supported; this coordinator speaks version \(supported)",
                receivedVersion: received, supportedVersion: supported)
    }
    enum CodingKeys: String, CodingKey { case reason, receivedVersion = "received_version", supportedVersion = "supported_version" }
}

/// HEARTBEAT has no fields.
struct Empty: Codable {}
