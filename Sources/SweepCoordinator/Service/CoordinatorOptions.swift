import Foundation

/// Everything `coordinator run` decides before the service starts.
public struct CoordinatorOptions: Sendable {
    public var sweepFile: URL
    /// Folder that holds `runs/` (the current directory by default).
    public var base: URL
    /// Local worker processes to spawn (0: wait for remote workers).
    public var workers: Int
    /// Where to listen; nil: a private loopback endpoint.
    public var listen: String?
    /// CURVE: this coordinator's secret key file and the allowed workers' public keys.
    public var curveSecretKeyFile: URL?
    public var allowedWorkerKeysFile: URL?
    /// Resume semantics for a changed sweep file.
    public var extend = false
    public var fresh = false
    /// Queue `failed` trials again (and `config_error` ones with `retryConfigErrors`), keeping
    /// everything else that is finished.
    public var retryFailed = false
    public var retryConfigErrors = false
    public var policy = SchedulerPolicy()
    /// Arguments added to every spawned worker (e.g. test timings).
    public var extraWorkerArguments: [String] = []
    /// Largest message accepted from a worker (checkpoints travel in messages).
    public var maxMessageBytes: Int64 = 1 << 30
    /// report.html is rewritten at most this often while a sweep runs (it reads every curve, so
    /// not after every epoch), and always at the end.
    public var reportInterval: Double = 30
    /// results.csv and curves.csv are rewritten at most this often while a sweep runs (each
    /// rewrite reads every trial, so not after every result), and always at the start and the end.
    public var exportInterval: Double = 5
    /// Seconds sweep.db may stay unwritable (disk full, read-only) before the run stops cleanly.
    public var storeFailureLimit: Double = 120

    public init(sweepFile: URL, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                workers: Int = ProcessInfo.processInfo.activeProcessorCount, listen: String? = nil) {
        self.sweepFile = sweepFile
        self.base = base
        self.workers = workers
        self.listen = listen
    }
}

/// Whether an endpoint is reachable only from this host (no CURVE needed there).
public enum EndpointScope {
    public static func isLocal(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") { return true }
        guard endpoint.hasPrefix("tcp://") else { return false }
        var host = String(endpoint.dropFirst("tcp://".count))
        if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
