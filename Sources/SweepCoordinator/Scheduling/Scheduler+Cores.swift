import SweepProtocol

/// Elastic cores inside the scheduler: membership and attempts feed the `CoreAllocator`, and
/// every dispatch ends with its rebalance, whose commands become `.threads` events.
extension Scheduler {
    /// The allocator's key of a worker: its process (HELLO `worker_id`), else its identity.
    func memberKey(_ entry: WorkerEntry) -> String { entry.name ?? entry.id.rawValue }

    /// Threads the running attempt of `trialID` is to train with now (nil: not running).
    public func threads(of trialID: String) -> Int? { cores.threads(trialID: trialID) }

    /// The worker's cores are lent to (or being given back by) a running trial.
    public func isLending(_ id: WorkerID) -> Bool {
        guard let entry = workers[id] else { return false }
        return !cores.mayAssign(member: memberKey(entry))
    }

    /// Threads the host's running attempts may be using now, and its workers' cores.
    public func coreUse(host: String) -> (threads: Int, cores: Int) {
        (cores.threadsInUse(host: host), cores.cores(host: host))
    }

    mutating func coresJoined(_ entry: WorkerEntry, cpus: [Int], running: Bool) {
        let key = memberKey(entry)
        // A process that greets without its trial has dropped it, with the cores it held.
        if !running { cores.endAll(member: key) }
        cores.join(member: key, worker: entry.id, host: entry.host, cores: entry.cores, cpus: cpus)
    }

    mutating func coresAdopted(trialID: String, attempt: Int, worker id: WorkerID) -> [SchedulerEvent] {
        guard let entry = workers[id], let state = trials[trialID] else { return [] }
        let commands = cores.adopted(trialID: trialID, attempt: attempt, worker: id, member: memberKey(entry),
                                     threads: state.trial.threads)
        // Without elastic cores nothing grows; a worker's --threads is its own business.
        return policy.elasticCores ? commands.map(SchedulerEvent.threads) : []
    }

    /// The worker process is gone: what it held is free, what it lent comes back.
    mutating func coresLeft(_ entry: WorkerEntry) -> [SchedulerEvent] {
        let key = memberKey(entry)
        guard cores.members[key]?.worker == entry.id else { return [] }
        return cores.leave(member: key).map(SchedulerEvent.threads)
    }

    /// The holder of `attempt` of `trialID` reported the threads it trains with (PROGRESS or
    /// BATCH_PROGRESS, accepted by `judge`). A confirmed change may free cores for waiting work or
    /// allow the next change.
    public mutating func threadsReported(trialID: String, attempt: Int, threads: Int, now: Double) -> [SchedulerEvent] {
        guard cores.reported(trialID: trialID, attempt: attempt, threads: threads) else { return [] }
        return dispatch(now: now)
    }

    /// After assignments: lend idle cores when no trial waits, take them back when one does.
    mutating func rebalanceCores() -> [SchedulerEvent] {
        guard policy.elasticCores else { return [] }
        let idle = workers.all.filter { $0.ready && $0.trialID == nil && !$0.suspect }.map(memberKey)
        let trials = self.trials
        let runnable = queue.first(where: { trials[$0]?.phase == .queued }) == nil ? 0 : max(1, counts.queued)
        let reached = reachedEpoch
        return cores.rebalance(idle: idle, runnable: runnable) { trialID in
            guard let state = trials[trialID] else { return 0 }
            let epochs = max(1, state.trial.epochs ?? 1)
            let left = Double(max(0, epochs - (reached[trialID] ?? state.latestCheckpoint?.epoch ?? 0))) / Double(epochs)
            return (state.trial.estimatedCost ?? 1) * left
        }.map(SchedulerEvent.threads)
    }
}
