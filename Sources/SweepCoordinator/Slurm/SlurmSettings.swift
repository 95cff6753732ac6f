import Foundation

/// What `coordinator run --slurm N` asks of SLURM, and how the launcher behaves.
public struct SlurmSettings: Sendable, Equatable {
    /// Worker tasks in the job (one core each).
    public var tasks: Int
    public var partition: String?
    /// `--time` as sbatch takes it (`30`, `2:00:00`, `1-0`).
    public var timeLimit: String?
    /// Anything else for sbatch, passed through in order (`--slurm-arg=--account=x`).
    public var extraArguments: [String] = []
    /// How often squeue is asked about the job.
    public var pollInterval: Double = 2
    /// A job that ends while the sweep runs is resubmitted, but not after this many jobs in a row
    /// that each ran less than `shortJobSeconds` (one that cannot start is not retried forever).
    public var maxShortJobsInARow = 3
    public var shortJobSeconds: Double = 60
    /// Wait between a job's end and its resubmission.
    public var resubmitDelay: Double = 3
    /// After the sweep completed, how long its running workers get to exit by themselves.
    public var exitWait: Double = 10
    /// After scancel, how long to wait for the job to leave the queue.
    public var cancelWait: Double = 30

    public init(tasks: Int, partition: String? = nil, timeLimit: String? = nil, extraArguments: [String] = []) {
        self.tasks = tasks
        self.partition = partition
        self.timeLimit = timeLimit
        self.extraArguments = extraArguments
    }

    /// The tools the launcher needs on PATH.
    public static let tools = ["sbatch", "squeue", "scancel"]
}

/// What the workers of the job run and where their files go.
public struct SlurmWorkerJob: Sendable, Equatable {
    public var sweepName: String
    /// The `worker` executable (on a path the compute nodes share).
    public var workerExecutable: String
    /// The endpoint the workers connect to (a routable host, not 0.0.0.0).
    public var endpoint: String
    public var serverPublicKeyFile: String
    public var workerKeyFile: String
    /// Each task's private state folder is `<stateRoot>/slurm-<job>-<task>`.
    public var stateRoot: String
    /// The job's output goes to `<logFolder>/slurm-<job>.out`.
    public var logFolder: String
    /// The job script is written here before it is submitted (kept for inspection).
    public var scriptFile: String

    public init(sweepName: String, workerExecutable: String, endpoint: String, serverPublicKeyFile: String,
                workerKeyFile: String, stateRoot: String, logFolder: String, scriptFile: String) {
        self.sweepName = sweepName
        self.workerExecutable = workerExecutable
        self.endpoint = endpoint
        self.serverPublicKeyFile = serverPublicKeyFile
        self.workerKeyFile = workerKeyFile
        self.stateRoot = stateRoot
        self.logFolder = logFolder
        self.scriptFile = scriptFile
    }
}
