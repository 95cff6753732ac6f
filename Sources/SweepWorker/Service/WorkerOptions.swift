import Foundation

/// How a worker daemon runs.
public struct WorkerOptions: Sendable {
    public var endpoint: String
    /// Stable id of this worker process (HELLO `worker_id`); socket identities add a counter.
    public var workerID: String
    public var host: String
    /// Cores this worker may train with (`--cores`): the most threads a trial starts with.
    public var cores: Int
    /// The cpu ids it may run on (its affinity at start), sent in HELLO; nil when unknown.
    public var cpus: [Int]?
    public var build: String
    /// Where the outbox, dataset cache and checkpoints live.
    public var stateDirectory: URL
    public var datasetCache: URL
    /// Set for workers spawned by a local coordinator: die with it, and exit on its BYE.
    public var parentPID: Int32?
    /// Exit when the coordinator says BYE (local children, tests) instead of reconnecting.
    public var exitOnBye = false
    /// Started for one sweep (SLURM, ssh, `worker run --exit-when-done`): exit 0 on BYE
    /// `sweep_complete`, and only on that code; a coordinator stopping (`shutting_down`) may come back.
    public var exitWhenDone = false
    /// With `exitWhenDone`: no message from the coordinator for this long (since the worker
    /// started or last heard it) while no trial runs means its sweep ended without this worker
    /// (another worker took the last trial before it connected) or its coordinator is gone: exit
    /// `coordinatorGone` instead of holding a cluster allocation. Nil: wait for ever.
    public var giveUpAfter: Double?
    /// CURVE: the coordinator's public key and this worker's key pair (Z85).
    public var serverPublicKey: String?
    public var clientPublicKey: String?
    public var clientSecretKey: String?
    public var heartbeatInterval: Double = 1
    /// Unacknowledged results are sent again this often while connected (and after every WELCOME):
    /// a coordinator that could not commit one (its disk was full) takes it when it can.
    public var outboxResendInterval: Double = 15
    /// A DATASET_REQUEST unanswered this long is sent again: the coordinator drops requests that
    /// come within 10 s of the last DATASET it sent (SPEC.md §3), e.g. after the worker could not
    /// store that one.
    public var datasetRequestRetry: Double = 12
    /// BATCH_PROGRESS goes out at most this often (SPEC.md §3.2: not below 0.5 s).
    public var batchProgressInterval: Double = 0.5
    /// Coordinator silent this long: reconnect (with backoff) and say HELLO again.
    public var coordinatorSilenceLimit: Double = 5
    /// A trainer that reports nothing (no batch poll) this long is hung: report infra and exit.
    public var watchdogSeconds: Double = 600
    /// Trials it holds while it trains (HELLO `prefetch`, SPEC.md §3.5): it starts the next the
    /// moment one ends, without waiting for the coordinator; 0 asks for work only when idle. The
    /// coordinator holds only trials that start within a second, so this matters only for trials
    /// shorter than that, where four cover its turn for a result.
    public var prefetch = 4
    /// Overridable protocol version, only to test refusals.
    public var protocolVersion: Int?

    public init(endpoint: String, workerID: String, host: String, cores: Int, build: String,
                stateDirectory: URL, datasetCache: URL) {
        self.endpoint = endpoint
        self.workerID = workerID
        self.host = host
        self.cores = cores
        self.build = build
        self.stateDirectory = stateDirectory
        self.datasetCache = datasetCache
    }
}

/// Why a worker stopped.
public enum WorkerExit: Int32, Sendable {
    case done = 0
    /// The coordinator refused us (another protocol version, bad key): retrying cannot help.
    case refused = 4
    /// The trainer hung past the watchdog.
    case hung = 5
    case signalled = 6
    /// A one-sweep worker heard nothing from its coordinator for `giveUpAfter` seconds.
    case coordinatorGone = 7
}
