/// What the scheduler knows about one connected worker.
public struct WorkerEntry: Sendable, Equatable {
    public let id: WorkerID
    /// HELLO `worker_id`: the worker process, across its socket identities.
    public var name: String?
    public var host: String
    public var cores: Int
    public var lastHeard: Double
    /// The worker said READY and has no trial.
    public var ready: Bool
    public var trialID: String?
    /// Trials leased to it that start, in order, when `trialID` ends (prefetch, SPEC.md §3.5);
    /// empty while `trialID` is nil.
    public var heldTrialIDs: [String]
    /// Trials it holds while it trains (HELLO `prefetch`, at most `Scheduler.maxPrefetch`).
    public var prefetch: Int
    /// ASSIGNs sent to this identity: a READY that counts fewer was written before one arrived.
    public var assignsSent: Int
    public var suspect: Bool
    public var consecutiveInfraFailures: Int
    /// When the worker's quarantine ends (scheduler clock); nil when it is not quarantined.
    public var quarantinedUntil: Double?
    public var quarantined: Bool { quarantinedUntil != nil }

    public init(id: WorkerID, name: String? = nil, host: String, cores: Int, now: Double) {
        self.id = id
        self.name = name
        self.host = host
        self.cores = cores
        self.lastHeard = now
        self.ready = false
        self.trialID = nil
        self.heldTrialIDs = []
        self.prefetch = 0
        self.assignsSent = 0
        self.suspect = false
        self.consecutiveInfraFailures = 0
        self.quarantinedUntil = nil
    }

    /// May receive a new trial now.
    var assignable: Bool { ready && trialID == nil && !suspect && !quarantined }
}

/// The live workers, in the order they arrived (assignment order is deterministic).
struct WorkerTable: Sendable {
    private(set) var entries: [WorkerID: WorkerEntry] = [:]
    private(set) var order: [WorkerID] = []

    subscript(id: WorkerID) -> WorkerEntry? {
        get { entries[id] }
        set {
            if let newValue {
                if entries[id] == nil { order.append(id) }
                entries[id] = newValue
            } else if entries.removeValue(forKey: id) != nil {
                order.removeAll { $0 == id }
            }
        }
    }

    var all: [WorkerEntry] { order.compactMap { entries[$0] } }
}
