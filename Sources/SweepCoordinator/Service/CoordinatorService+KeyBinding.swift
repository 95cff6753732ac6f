import SweepProtocol

/// Under CURVE, the key (ZAP User-Id) each HELLO `worker_id` and each socket identity was first
/// accepted with. Neither may ever be used by a connection authenticated with another key, so an
/// allow-listed key cannot speak for another worker. Kept in memory for the coordinator's lifetime.
struct KeyBindings {
    var keyOfWorkerID: [String: String] = [:]
    var keyOfIdentity: [WorkerID: String] = [:]
    /// Messages refused for a key that does not match, and the peers already logged.
    var refusals = 0
    var loggedPeers: Set<String> = []
}

extension CoordinatorService {
    /// HELLOs and messages refused because their key does not own the worker they speak for.
    public var keyRefusals: Int { keyBindings.refusals }

    /// Checks a HELLO against the bindings; if it may proceed, binds its `worker_id` and socket
    /// identity to `key` and returns nil, otherwise returns why it is refused. Without CURVE
    /// (peers not authenticated) every HELLO proceeds and nothing is bound.
    func bindKey(_ key: String?, hello: Hello, worker: WorkerID) -> String? {
        guard authenticatesPeers else { return nil }
        // Fail closed: under CURVE every admitted connection has a User-Id.
        guard let key else { return "its connection has no authenticated key" }
        if let bound = keyBindings.keyOfWorkerID[hello.workerId], bound != key {
            return "worker_id \(hello.workerId.prefix(200).debugDescription) belongs to another key"
        }
        if let bound = keyBindings.keyOfIdentity[worker], bound != key {
            return "socket identity \(worker) belongs to another key"
        }
        // The lease it claims, even with the right lease id, belongs to whoever it was leased to.
        if let running = hello.running,
           let holder = scheduler.state(of: running.trialId)?.leases[running.attempt]?.worker,
           let bound = keyBindings.keyOfIdentity[holder], bound != key {
            return "the lease of trial \(running.trialId.prefix(80)) attempt \(running.attempt) belongs to another key"
        }
        keyBindings.keyOfWorkerID[hello.workerId] = key
        keyBindings.keyOfIdentity[worker] = key
        return nil
    }

    /// Whether a non-HELLO message on `worker`'s socket identity comes from the key that said HELLO on it.
    func keyMatches(_ key: String?, worker: WorkerID) -> Bool {
        guard authenticatesPeers, let bound = keyBindings.keyOfIdentity[worker] else { return true }
        return bound == key
    }

    /// Counts a refusal; the first per peer (identity and key) is logged and recorded. A refused
    /// HELLO is answered `REFUSED` (the worker exits: retrying cannot help); other messages are dropped.
    func refuseKey(_ why: String, command: Command, identity: [UInt8], worker: WorkerID, key: String?) {
        keyBindings.refusals += 1
        let peer = "\(worker) with key \(key ?? "none")"
        if keyBindings.loggedPeers.count < 10_000, keyBindings.loggedPeers.insert(peer).inserted {
            let line = "refused \(command.rawValue) from \(peer): \(why) (further refusals of this peer are only counted)"
            logger.warning("\(line)")
            recordEvent("refused", line)
        }
        if command == .hello {
            send(.refused(Refused(reason: "\(why); this key may not speak for it")), identity: identity)
        }
    }
}
