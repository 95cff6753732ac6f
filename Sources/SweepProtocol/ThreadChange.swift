/// THREADS, coordinator to worker (SPEC.md §3.2): train the running attempt with `threads` threads
/// from the next batch on, pinned to `cpus` (empty: the worker's own cpus). The worker confirms by
/// reporting `threads` in its next BATCH_PROGRESS or PROGRESS.
public struct ThreadChange: Sendable, Hashable, Codable, LeaseClaim {
    public var trialId: String
    public var attempt: Int
    public var leaseId: String
    /// 1…`maxWireThreads`.
    public var threads: Int
    /// Cpu ids, one per thread in order (the trainer's own thread first), or empty.
    public var cpus: [Int]

    public init(trialId: String, attempt: Int, leaseId: String, threads: Int, cpus: [Int]) {
        self.trialId = trialId; self.attempt = attempt; self.leaseId = leaseId; self.threads = threads; self.cpus = cpus
    }

    enum CodingKeys: String, CodingKey { case trialId = "trial_id", attempt, leaseId = "lease_id", threads, cpus }
}

/// The most threads a message may name (a trainer's thread pool holds at most this many).
public let maxWireThreads = 256
/// Cpu ids are below this (Linux's `cpu_set_t` holds 1024), and a list holds at most this many.
public let maxWireCPU = 1024
