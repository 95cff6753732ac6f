import SweepProtocol

/// Prefetch (SPEC.md §3.5): a worker that said HELLO `prefetch: n` may hold up to n more trials
/// while it trains, and starts the next the moment its running one ends, instead of sending READY
/// and waiting for the coordinator to commit the result and the next assignment. A held trial is
/// leased (its reports are the holder's) but takes no cores and is not watched until it starts.
/// Idle workers are always served first; a trial is held only while more trials are queued than
/// there are workers, so whichever worker frees next still finds one (at the tail nothing is held),
/// and only when it would start within `policy.prefetchSeconds` (the running trial's projected
/// rest and the held trials before it), so no trial waits long behind others. Off under early stopping: a
/// rung decision at the end of a trial picks what runs next (a promotion goes before new trials),
/// which a trial leased beforehand would overtake.
extension Scheduler {
    /// The most trials one worker holds, whatever it offers.
    public static let maxPrefetch = 4

    /// Gives busy workers with a free slot their next trials, once no idle worker waits for one.
    mutating func prefetch(now: Double) -> [SchedulerEvent] {
        guard policy.prefetchSeconds > 0, stopping == nil,
              !workers.all.contains(where: { $0.assignable }) else { return [] }
        var events: [SchedulerEvent] = []
        let workerCount = workers.all.count
        for entry in workers.all where entry.prefetch > entry.heldTrialIDs.count && !entry.suspect && !entry.quarantined {
            guard let running = entry.trialID, var ahead = secondsLeft(running: running, now: now) else { continue }
            var held = entry.heldTrialIDs
            for id in held { ahead += wholeSeconds(id) ?? .infinity }
            while held.count < entry.prefetch, ahead <= policy.prefetchSeconds, queue.count > workerCount, let trialID = nextTrial(),
                  let assignment = lease(trialID, to: entry.id, held: true, now: now) {
                events.append(.assign(assignment))
                held.append(trialID)
                ahead += wholeSeconds(trialID) ?? .infinity
            }
            if nextTrial() == nil { break }
        }
        return events
    }

    /// Projected seconds a trial not yet started trains, from its latest checkpoint on.
    private func wholeSeconds(_ trialID: String) -> Double? {
        guard let state = trials[trialID] else { return nil }
        return secondsLeft(state, done: state.latestCheckpoint?.epoch ?? 0)
    }

    /// Projected seconds until the running attempt of `trialID` ends; nil before the sweep's pace
    /// is known.
    private func secondsLeft(running trialID: String, now: Double) -> Double? {
        guard let state = trials[trialID], case .running = state.phase else { return nil }
        let watch = progressWatches[trialID]
        let elapsed = now - (watch?.lastProgress ?? watch?.since ?? now)
        return secondsLeft(state, done: reachedEpoch[trialID] ?? state.latestCheckpoint?.epoch ?? 0, elapsed: elapsed)
    }

    /// `trialID` no longer occupies `holder`: a held trial leaves its place; the running one frees
    /// the worker, which starts the first trial it holds.
    mutating func release(_ trialID: String, from holder: WorkerID, now: Double) {
        guard var entry = workers[holder] else { return }
        if let index = entry.heldTrialIDs.firstIndex(of: trialID) {
            entry.heldTrialIDs.remove(at: index)
            workers[holder] = entry
            return
        }
        guard entry.trialID == trialID else { return }
        entry.trialID = nil
        workers[holder] = entry
        startHeld(holder, now: now)
    }

    /// The worker's first held trial becomes the one it trains: its lease runs from now, the
    /// progress watchdog starts, and it takes the worker's cores (as after a READY, nothing else
    /// holds them). A held trial the scheduler no longer leases to it is skipped.
    mutating func startHeld(_ id: WorkerID, now: Double) {
        guard var entry = workers[id], entry.trialID == nil else { return }
        while !entry.heldTrialIDs.isEmpty {
            let held = entry.heldTrialIDs.removeFirst()
            guard let state = trials[held], case .running(id, let attempt) = state.phase else { continue }
            entry.trialID = held
            entry.ready = false
            workers[id] = entry
            var started = state
            started.leaseExpiry = now + policy.lostAfter
            trials[held] = started
            startProgressWatch(trialID: held, attempt: attempt, now: now)
            cores.endAll(worker: id)
            cores.started(trialID: held, attempt: attempt, worker: id, member: memberKey(entry), threads: state.trial.threads)
            return
        }
        workers[id] = entry
    }

    /// Takes back the trials the worker holds (it is gone, reconnected, or holds nothing): queued
    /// again at the front, in their order, without charge, as they never started here.
    mutating func dropHeld(_ id: WorkerID, reason: String) -> [SchedulerEvent] {
        guard let held = workers[id]?.heldTrialIDs, !held.isEmpty else { return [] }
        workers[id]?.heldTrialIDs = []
        var events: [SchedulerEvent] = []
        for trialID in held.reversed() {
            guard var state = trials[trialID], case .running(id, let attempt) = state.phase else { continue }
            state.phase = .queued
            state.leaseExpiry = nil
            trials[trialID] = state
            queue.pushFront(trialID)
            events.append(.requeued(trialID: trialID, attempt: attempt, reason: "\(reason); it held the trial behind its running one"))
        }
        return events.reversed()
    }
}
