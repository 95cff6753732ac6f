import SweepCore
import SweepProtocol

/// A rung decision waiting for the epoch's checkpoint (a stopped trial resumes from it if promoted).
struct PendingDecision: Sendable, Equatable {
    let attempt: Int
    let epoch: Int
    let valLoss: Double
    /// Reported before the coordinator restarted, with no decision recorded.
    var restored = false
}

/// Early stopping and the budget (docs/sweep-file.md, "early_stopping"). The rule is a pure value
/// the scheduler consults; stops go to the worker as STOP `early_stopped` only after the decisive
/// epoch's checkpoint is stored when the rule may promote the trial later (SPEC.md §3.3).
extension Scheduler {
    /// PROGRESS of `epoch` accepted from the holder of `attempt`: counts against the budget, and
    /// the rule judges the trial now, or once the epoch's checkpoint is stored.
    public mutating func epochReported(trialID: String, attempt: Int, epoch: Int, valLoss: Double, seconds: Double,
                                       now: Double) -> [SchedulerEvent] {
        guard case .running(let holder, attempt)? = trials[trialID]?.phase else { return [] }
        spentEpochs += 1
        if seconds.isFinite, seconds > 0 { spentSeconds += seconds }
        reachedEpoch[trialID] = epoch
        var events: [SchedulerEvent] = []
        if let rule = stopping, rule.decides(at: epoch) {
            if rule.promotes {
                awaitingCheckpoint[trialID] = PendingDecision(attempt: attempt, epoch: epoch, valLoss: valLoss)
            } else {
                events += decide(trialID: trialID, holder: holder, attempt: attempt, epoch: epoch, valLoss: valLoss, now: now)
            }
        }
        return events + spendBudget(now: now)
    }

    /// The checkpoint of `epoch` of the holder's attempt is stored: a decision waiting for it is taken.
    /// A decision restored from before a restart waits for a checkpoint of its epoch or a later
    /// one (the worker that re-adopted the trial may have moved on); a live one for exactly its own.
    /// Without one, the trial may be paused at the tail of the sweep (Scheduler+Pausing.swift).
    public mutating func checkpointReady(trialID: String, attempt: Int, epoch: Int, now: Double) -> [SchedulerEvent] {
        guard let pending = awaitingCheckpoint[trialID], pending.attempt == attempt,
              pending.epoch == epoch || (pending.restored && epoch > pending.epoch),
              case .running(let holder, attempt)? = trials[trialID]?.phase else {
            return pauseAtTail(trialID: trialID, attempt: attempt, epoch: epoch, now: now)
        }
        awaitingCheckpoint[trialID] = nil
        return decide(trialID: trialID, holder: holder, attempt: attempt, epoch: pending.epoch, valLoss: pending.valLoss, now: now)
    }

    /// Takes the rule's decision about a trial at `epoch`; `holder` nil: the trial is not running
    /// (a decision restored after a restart whose checkpoint was already stored).
    private mutating func decide(trialID: String, holder: WorkerID?, attempt: Int, epoch: Int, valLoss: Double,
                                 now: Double) -> [SchedulerEvent] {
        let closed = closedThrough()
        guard let decision = stopping?.reached(trialID: trialID, epoch: epoch, valLoss: valLoss, closedThrough: closed) else {
            return []
        }
        var events: [SchedulerEvent] = []
        switch decision {
        case .proceed(let reason):
            events.append(.decision(trialID: trialID, epoch: epoch, stop: false, reason: reason))
        case .stop(let reason):
            events.append(.decision(trialID: trialID, epoch: epoch, stop: true, reason: reason))
            if let holder { events.append(.stop(worker: holder, trialID: trialID, attempt: attempt, code: .earlyStopped)) }
            stop(trialID: trialID, attempt: attempt, now: now)
            events.append(.stopped(trialID: trialID, attempt: attempt, epoch: epoch, reason: reason))
        }
        return events + promoteQualified(now: now)
    }

    /// Queues the stopped trials the rule promotes now (first in line: they are the most
    /// promising work there is) and hands them to free workers. Called whenever a rung may have
    /// grown or closed: after a decision, a finished or failed trial, and on ticks (so a restarted
    /// coordinator re-checks what its predecessor left).
    mutating func promoteQualified(now: Double) -> [SchedulerEvent] {
        guard !budgetSpent, stopping?.promotes == true else { return [] }
        var events: [SchedulerEvent] = []
        let closed = closedThrough()
        for promotion in stopping?.promotions(closedThrough: closed) ?? [] {
            guard case .finished(.stopped, _)? = trials[promotion.trialID]?.phase else { continue }
            trials[promotion.trialID]?.phase = .queued
            queue.pushFront(promotion.trialID)
            events.append(.promoted(trialID: promotion.trialID, epoch: promotion.epoch, reason: promotion.reason))
        }
        return events.isEmpty ? [] : events + dispatch(now: now)
    }

    /// The highest epoch no unfinished trial can still report (Int.max: none is unfinished): the
    /// rungs up to it are closed. A queued trial resumes after its checkpoint, a running one after
    /// its last reported epoch, and one waiting for a rung decision is still to be judged there.
    /// Costs the running trials and the queue's front (promoted and requeued trials): the first
    /// never-started trial in line already closes nothing.
    func closedThrough() -> Int {
        var lowest = Int.max
        func note(_ id: String) -> Bool {
            guard let state = trials[id] else { return true }
            let next: Int
            if let pending = awaitingCheckpoint[id] {
                next = pending.epoch
            } else if case .running = state.phase {
                next = (reachedEpoch[id] ?? state.latestCheckpoint?.epoch ?? 0) + 1
            } else if case .finished = state.phase {
                return true
            } else {
                next = (state.latestCheckpoint?.epoch ?? 0) + 1
            }
            lowest = min(lowest, next)
            return lowest > 1
        }
        for id in trials.withLeaseExpiry where !note(id) { return 0 }
        guard queue.allSatisfy(note) else { return 0 }
        return lowest == Int.max ? Int.max : lowest - 1
    }

    /// Ends the attempt as stopped; its holder moves on to the trial it holds, if any, or says
    /// READY after the STOP.
    private mutating func stop(trialID: String, attempt: Int, now: Double) {
        guard var state = trials[trialID] else { return }
        if case .running(let holder, _) = state.phase { release(trialID, from: holder, now: now) }
        state.phase = .finished(.stopped, attempt: attempt)
        state.leaseExpiry = nil
        trials[trialID] = state
        queue.remove(trialID)
        progressWatches[trialID] = nil
        awaitingCheckpoint[trialID] = nil
    }

    /// Whether the budget is spent; the first time it is, every unfinished trial is stopped.
    mutating func spendBudget(now: Double) -> [SchedulerEvent] {
        guard !budgetSpent, let budget else { return [] }
        let reason: String
        switch budget {
        case .trialEpochs(let limit):
            guard spentEpochs >= limit else { return [] }
            reason = "budget of \(limit) trial-epochs spent"
        case .trialSeconds(let limit):
            guard spentSeconds >= limit else { return [] }
            reason = "budget of \(Int(limit)) trial-seconds spent (\(Int(spentSeconds)) s)"
        }
        budgetSpent = true
        var events: [SchedulerEvent] = [.budgetSpent(reason: reason)]
        for id in trials.keys.sorted() {
            guard let state = trials[id] else { continue }
            switch state.phase {
            case .running(let holder, let attempt):
                events.append(.stop(worker: holder, trialID: id, attempt: attempt, code: .earlyStopped))
                stop(trialID: id, attempt: attempt, now: now)
                events.append(.stopped(trialID: id, attempt: attempt, epoch: reachedEpoch[id] ?? state.latestCheckpoint?.epoch ?? 0,
                                       reason: reason))
            case .queued, .orphaned:
                stop(trialID: id, attempt: state.attemptsStarted, now: now)
                // Its last attempt, if it ever ran (0: it never did).
                events.append(.stopped(trialID: id, attempt: state.attemptsStarted, epoch: state.latestCheckpoint?.epoch ?? 0,
                                       reason: reason))
            case .finished:
                break
            }
        }
        _ = now
        return events
    }

    /// Rebuilds the rule's and the budget's state from what a previous run recorded. An unfinished
    /// trial whose latest rung epoch has a val_loss but no recorded decision was waiting for that
    /// epoch's checkpoint: the decision waits again (`settleRestoredDecisions`, `checkpointReady`).
    mutating func restoreEarlyStopping(_ restored: [String: RestoredTrial]) {
        for id in restored.keys.sorted() {
            guard let old = restored[id], let state = trials[id] else { continue }
            var losses = old.valLosses
            if let rule = stopping, rule.promotes, old.outcome == nil, state.attemptsStarted > 0,
               let epoch = losses.keys.filter({ rule.decides(at: $0) }).max(), !old.decidedEpochs.contains(epoch),
               let loss = losses[epoch] {
                awaitingCheckpoint[id] = PendingDecision(attempt: state.attemptsStarted, epoch: epoch, valLoss: loss, restored: true)
                losses[epoch] = nil
            }
            stopping?.restore(trialID: id, valLosses: losses, stoppedAt: old.stoppedEpoch)
            spentEpochs += old.valLosses.count
            spentSeconds += old.secondsTrained
        }
        // A budget already spent stops the rest on the first tick, where its events are acted on.
    }

    /// What a restarted coordinator does before anything else (even when every trial looks
    /// finished): takes the restored rung decisions whose checkpoints are stored, and promotes
    /// the stopped trials that qualify now (a rung may have closed while nobody was looking).
    public mutating func resumeEarlyStopping(now: Double) -> [SchedulerEvent] {
        settleRestoredDecisions(now: now) + promoteQualified(now: now)
    }

    /// Once, at `resumeEarlyStopping` or the first tick after a restart: a restored rung decision whose checkpoint is already
    /// stored is taken now (an orphan told to stop hears STOP `early_stopped` when it says HELLO).
    mutating func settleRestoredDecisions(now: Double) -> [SchedulerEvent] {
        guard !restoredDecisionsSettled else { return [] }
        restoredDecisionsSettled = true
        var events: [SchedulerEvent] = []
        for (id, pending) in awaitingCheckpoint.sorted(by: { $0.key < $1.key }) where pending.restored {
            guard let state = trials[id], let stored = state.latestCheckpoint?.epoch, stored >= pending.epoch else { continue }
            var holder: WorkerID?
            switch state.phase {
            case .running(let worker, let attempt):
                guard attempt == pending.attempt else { continue }
                holder = worker
            case .queued, .orphaned:
                holder = nil
            case .finished:
                continue
            }
            awaitingCheckpoint[id] = nil
            events += decide(trialID: id, holder: holder, attempt: pending.attempt, epoch: pending.epoch,
                             valLoss: pending.valLoss, now: now)
        }
        return events
    }
}
