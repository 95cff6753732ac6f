import SweepProtocol

/// Pausing at the tail of a sweep (SPEC.md §7, *Pausing*). With fewer queued trials than busy cores,
/// a queued trial that starts only when a core frees can end long after the others: three equal
/// trials on two cores take two trial-times. Every trial checkpoints, so the scheduler can pause a
/// running one right after a stored checkpoint, give its core to the waiting trial, and resume it
/// from that checkpoint when the next core frees: the three then end together after 1.5 trial-times.
/// A pause is taken only when the projected end of the sweep (`TailPlan`) moves earlier by more than
/// `policy.pauseMinimumGain` and 10 %, and pausing at this trial's next checkpoint would not end
/// sooner still. Off under early stopping, whose rungs already stop and resume trials.
extension Scheduler {
    /// Seconds one epoch of the trial takes: its own last epoch, else its estimated work at the speed
    /// the sweep's epochs have shown so far (nil before any epoch was reported).
    func epochSeconds(_ state: TrialState) -> Double? {
        if let seconds = lastEpochSeconds[state.trial.id] { return seconds }
        guard let flops = state.trial.flopsPerEpoch, observedEpochFLOPs > 0 else { return nil }
        return flops * observedEpochSeconds / observedEpochFLOPs
    }

    /// Seconds of training the trial has left: its epochs after `done`, less `elapsed` of the one
    /// under way.
    func secondsLeft(_ state: TrialState, done: Int, elapsed: Double = 0) -> Double? {
        guard let epochs = state.trial.epochs, let epoch = epochSeconds(state) else { return nil }
        return max(0, Double(max(0, epochs - done)) * epoch - max(0, elapsed))
    }

    /// Called when the checkpoint of `epoch` of the holder's attempt is stored (and no rung decision
    /// waits for it): pauses the trial if that brings the sweep's projected end earlier.
    mutating func pauseAtTail(trialID: String, attempt: Int, epoch: Int, now: Double) -> [SchedulerEvent] {
        guard policy.pausing, stopping == nil, !draining, !holding, !budgetSpent,
              queue.count > 0, queue.count < counts.running,
              let paused = trials[trialID], case .running(let holder, attempt) = paused.phase,
              let epochs = paused.trial.epochs, epoch < epochs,
              !workers.all.contains(where: { $0.assignable }) else { return [] }
        let table = trials
        let queued = queue.ids.compactMap { table[$0] }
        guard let next = queued.first, queued.allSatisfy({ $0.phase == .queued }),
              let pausedLeft = secondsLeft(paused, done: epoch), let epochTime = epochSeconds(paused) else { return [] }
        var others: [Double] = []
        for entry in workers.all {
            guard let id = entry.trialID, id != trialID, let state = table[id], case .running = state.phase else { continue }
            let watch = progressWatches[id]
            let elapsed = now - (watch?.lastProgress ?? watch?.since ?? now)
            guard let left = secondsLeft(state, done: reachedEpoch[id] ?? state.latestCheckpoint?.epoch ?? 0,
                                         elapsed: elapsed) else { return [] }
            others.append(left)
        }
        var waiting: [Double] = []
        for state in queued {
            guard let left = secondsLeft(state, done: state.latestCheckpoint?.epoch ?? 0) else { return [] }
            waiting.append(left)
        }
        let keep = TailPlan(running: others + [pausedLeft], queued: waiting).makespan
        let pause = TailPlan(running: others + [waiting[0]], queued: [pausedLeft] + waiting.dropFirst()).makespan
        // Pausing after one more epoch, if no other core frees before then.
        var later = Double.infinity
        if others.allSatisfy({ $0 > epochTime }) {
            later = epochTime + TailPlan(running: others.map { $0 - epochTime } + [waiting[0]],
                                         queued: [max(0, pausedLeft - epochTime)] + waiting.dropFirst()).makespan
        }
        guard keep - pause > max(policy.pauseMinimumGain, keep / 10), pause <= later else { return [] }

        var state = paused
        state.phase = .queued
        state.leaseExpiry = nil
        state.pausedAttempt = attempt
        trials[trialID] = state
        cores.end(trialID: trialID)
        release(trialID, from: holder, now: now)
        progressWatches[trialID] = nil
        awaitingCheckpoint[trialID] = nil
        // The waiting trial takes the freed core; the paused one takes the next.
        queue.pushFront(trialID)
        queue.pushFront(next.trial.id)
        // A worker's reported seconds are not bounded: only a small value becomes an Int.
        func text(_ seconds: Double) -> String { seconds < 1e12 ? "\(Int(seconds.rounded())) s" : "\(seconds) s" }
        let reason = "its core goes to trial \(next.trial.id); projected end of the sweep in \(text(pause)) instead of \(text(keep))"
        return [.stop(worker: holder, trialID: trialID, attempt: attempt, code: .paused),
                .paused(trialID: trialID, attempt: attempt, epoch: epoch, reason: reason)]
    }
}
