import SweepProtocol

/// Prefetch (SPEC.md §3.5): a worker that said HELLO `prefetch: 1` may hold one more trial while it
/// trains, and starts it the moment its running one ends, instead of sending READY and waiting for
/// the coordinator to commit the result and the next assignment. The held trial is leased (its
/// reports are the holder's) but takes no cores and is not watched until it starts. Idle workers
/// are always served first, and a trial is held only behind one projected to end within
/// `policy.prefetchSeconds`, so no trial waits long behind another while a worker could take it.
/// Off under early stopping: a rung decision at the end of a trial picks what runs next (a
/// promotion goes before new trials), which a trial leased beforehand would overtake.
extension Scheduler {
    /// Gives busy workers with a free slot their next trial, once no idle worker waits for one.
    mutating func prefetch(now: Double) -> [SchedulerEvent] {
        guard policy.prefetchSeconds > 0, stopping == nil,
              !workers.all.contains(where: { $0.assignable }) else { return [] }
        var events: [SchedulerEvent] = []
        for entry in workers.all where entry.prefetch > 0 && entry.heldTrialID == nil && !entry.suspect && !entry.quarantined {
            guard let running = entry.trialID, let left = secondsLeft(running: running, now: now),
                  left <= policy.prefetchSeconds else { continue }
            guard let trialID = nextTrial() else { break }
            if let assignment = lease(trialID, to: entry.id, held: true, now: now) { events.append(.assign(assignment)) }
        }
        return events
    }

    /// Projected seconds until the running attempt of `trialID` ends; nil before the sweep's pace
    /// is known.
    private func secondsLeft(running trialID: String, now: Double) -> Double? {
        guard let state = trials[trialID], case .running = state.phase else { return nil }
        let watch = progressWatches[trialID]
        let elapsed = now - (watch?.lastProgress ?? watch?.since ?? now)
        return secondsLeft(state, done: reachedEpoch[trialID] ?? state.latestCheckpoint?.epoch ?? 0, elapsed: elapsed)
    }

    /// `trialID` no longer occupies `holder`: a held trial leaves its slot; the running one frees
    /// the worker, which starts the trial it holds.
    mutating func release(_ trialID: String, from holder: WorkerID, now: Double) {
        guard var entry = workers[holder] else { return }
        if entry.heldTrialID == trialID {
            entry.heldTrialID = nil
            workers[holder] = entry
            return
        }
        guard entry.trialID == trialID else { return }
        entry.trialID = nil
        workers[holder] = entry
        startHeld(holder, now: now)
    }

    /// The worker's held trial becomes the one it trains: its lease runs from now, the progress
    /// watchdog starts, and it takes the worker's cores (as after a READY, nothing else holds them).
    mutating func startHeld(_ id: WorkerID, now: Double) {
        guard var entry = workers[id], entry.trialID == nil, let held = entry.heldTrialID else { return }
        entry.heldTrialID = nil
        guard let state = trials[held], case .running(id, let attempt) = state.phase else {
            workers[id] = entry
            return
        }
        entry.trialID = held
        entry.ready = false
        workers[id] = entry
        var started = state
        started.leaseExpiry = now + policy.lostAfter
        trials[held] = started
        startProgressWatch(trialID: held, attempt: attempt, now: now)
        cores.endAll(worker: id)
        cores.started(trialID: held, attempt: attempt, worker: id, member: memberKey(entry), threads: state.trial.threads)
    }

    /// Takes back the trial the worker holds (it is gone, reconnected, or holds nothing): queued
    /// again at the front without charge, as it never started here.
    mutating func dropHeld(_ id: WorkerID, reason: String) -> [SchedulerEvent] {
        guard let held = workers[id]?.heldTrialID else { return [] }
        workers[id]?.heldTrialID = nil
        guard var state = trials[held], case .running(id, let attempt) = state.phase else { return [] }
        state.phase = .queued
        state.leaseExpiry = nil
        trials[held] = state
        queue.pushFront(held)
        return [.requeued(trialID: held, attempt: attempt, reason: "\(reason); it held the trial behind its running one")]
    }
}
