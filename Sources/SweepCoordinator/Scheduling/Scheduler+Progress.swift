import SweepProtocol

/// When the running attempt of a trial last showed progress.
struct ProgressWatch: Sendable, Equatable {
    let attempt: Int
    /// Assignment (or adoption), or the latest PROGRESS/CHECKPOINT of this attempt.
    var since: Double
    /// The latest PROGRESS of this attempt, to measure epochs as the coordinator sees them.
    var lastProgress: Double?
}

/// Progress watchdog: heartbeats keep a lease alive, so a worker whose trainer is stuck but whose
/// I/O thread still beats would hold its trial forever. An attempt that reports no epoch for far
/// longer than an epoch takes is ended as an infra failure (SPEC.md §7).
extension Scheduler {
    /// Seconds the running attempt of `trialID` may go without PROGRESS or CHECKPOINT.
    public func progressLimit(trialID: String) -> Double? {
        guard let state = trials[trialID], case .running = state.phase else { return nil }
        if let longest = longestEpochSeconds[trialID] {
            return max(policy.progressMinimum, 10 * longest)
        }
        return max(policy.firstEpochMinimum, 10 * (estimatedEpochSeconds(state.trial) ?? 0))
    }

    /// One epoch at `policy.assumedFLOPsPerSecond` (a MAC is 2 FLOPs); nil when the cost is unknown.
    func estimatedEpochSeconds(_ trial: ScheduledTrial) -> Double? {
        guard let flops = trial.flopsPerEpoch, policy.assumedFLOPsPerSecond > 0 else { return nil }
        return 2 * flops / policy.assumedFLOPsPerSecond
    }

    /// The holder of `attempt` reported an epoch (`epochSeconds` from PROGRESS) or a checkpoint
    /// (nil). Call only for reports `judge` accepted from the holder.
    public mutating func progressReported(trialID: String, attempt: Int, epochSeconds: Double?, now: Double) {
        guard case .running(_, attempt)? = trials[trialID]?.phase else { return }
        startProgressWatch(trialID: trialID, attempt: attempt, now: now)
        guard var watch = progressWatches[trialID] else { return }
        if let epochSeconds {
            // The longer of what the worker measured and what we saw between two epochs.
            var epoch = epochSeconds.isFinite && epochSeconds >= 0 ? epochSeconds : 0
            if let last = watch.lastProgress { epoch = max(epoch, now - last) }
            noteEpochSeconds(trialID: trialID, epoch)
            notePace(trialID: trialID, epoch)
            watch.lastProgress = now
        }
        watch.since = now
        progressWatches[trialID] = watch
    }

    /// An epoch of the trial took `seconds` (also: epochs a previous coordinator run recorded).
    public mutating func noteEpochSeconds(trialID: String, _ seconds: Double) {
        guard seconds.isFinite, seconds > 0 else { return }
        longestEpochSeconds[trialID] = max(longestEpochSeconds[trialID] ?? 0, seconds)
    }

    /// The latest epoch of the trial took `seconds`: the pace pausing at the tail projects with.
    private mutating func notePace(trialID: String, _ seconds: Double) {
        guard seconds > 0, let trial = trials[trialID]?.trial else { return }
        lastEpochSeconds[trialID] = seconds
        guard let flops = trial.flopsPerEpoch else { return }
        observedEpochSeconds += seconds
        observedEpochFLOPs += flops
    }

    /// Starts watching an attempt; a watch of the same attempt keeps its time (a worker that
    /// reconnects does not reset the clock).
    mutating func startProgressWatch(trialID: String, attempt: Int, now: Double) {
        if progressWatches[trialID]?.attempt == attempt { return }
        progressWatches[trialID] = ProgressWatch(attempt: attempt, since: now, lastProgress: nil)
    }

    /// Ends (charged, requeued or failed) every attempt past its limit and tells its holder STOP.
    mutating func stalledAttempts(now: Double) -> [SchedulerEvent] {
        var events: [SchedulerEvent] = []
        for entry in workerEntries {
            guard let trialID = entry.trialID, case .running(entry.id, let attempt)? = trials[trialID]?.phase else { continue }
            startProgressWatch(trialID: trialID, attempt: attempt, now: now)
            guard let since = progressWatches[trialID]?.since, let limit = progressLimit(trialID: trialID),
                  now - since >= limit else { continue }
            progressWatches[trialID] = nil
            events.append(.stop(worker: entry.id, trialID: trialID, attempt: attempt, code: .leaseLost))
            events += endAttempt(trialID: trialID, worker: entry.id, now: now,
                                 reason: "no progress for \(Int(now - since)) s (limit \(Int(limit.rounded(.up))) s)",
                                 countsAsFailure: true)
        }
        return events
    }
}
