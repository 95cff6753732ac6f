import SweepCore
import SweepProtocol

/// A rung decision waiting for the epoch's checkpoint (a stopped trial resumes from it if promoted).
struct PendingDecision: Sendable, Equatable {
    let attempt: Int
    let epoch: Int
    let valLoss: Double
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
    public mutating func checkpointReady(trialID: String, attempt: Int, epoch: Int, now: Double) -> [SchedulerEvent] {
        guard let pending = awaitingCheckpoint[trialID], pending.attempt == attempt, pending.epoch == epoch,
              case .running(let holder, attempt)? = trials[trialID]?.phase else { return [] }
        awaitingCheckpoint[trialID] = nil
        return decide(trialID: trialID, holder: holder, attempt: attempt, epoch: epoch, valLoss: pending.valLoss, now: now)
    }

    private mutating func decide(trialID: String, holder: WorkerID, attempt: Int, epoch: Int, valLoss: Double,
                                 now: Double) -> [SchedulerEvent] {
        guard let decision = stopping?.reached(trialID: trialID, epoch: epoch, valLoss: valLoss) else { return [] }
        var events: [SchedulerEvent] = []
        switch decision {
        case .proceed(let reason):
            events.append(.decision(trialID: trialID, epoch: epoch, stop: false, reason: reason))
        case .stop(let reason):
            events.append(.decision(trialID: trialID, epoch: epoch, stop: true, reason: reason))
            events.append(.stop(worker: holder, trialID: trialID, attempt: attempt, code: .earlyStopped))
            stop(trialID: trialID, attempt: attempt)
            events.append(.stopped(trialID: trialID, attempt: attempt, epoch: epoch, reason: reason))
        }
        // Another trial at a rung can lift a stopped one into its top 1/η.
        for promotion in stopping?.promotions() ?? [] {
            guard !budgetSpent, case .finished(.stopped, _)? = trials[promotion.trialID]?.phase else { continue }
            trials[promotion.trialID]?.phase = .queued
            // Promoted trials go first: they are the most promising work there is.
            queue.pushFront(promotion.trialID)
            events.append(.promoted(trialID: promotion.trialID, epoch: promotion.epoch, reason: promotion.reason))
        }
        return events + dispatch(now: now)
    }

    /// Ends the running attempt as stopped; the worker's READY (after the STOP) frees it for other work.
    private mutating func stop(trialID: String, attempt: Int) {
        guard var state = trials[trialID] else { return }
        if case .running(let holder, _) = state.phase, workers[holder]?.trialID == trialID {
            workers[holder]?.trialID = nil
        }
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
                stop(trialID: id, attempt: attempt)
                events.append(.stopped(trialID: id, attempt: attempt, epoch: reachedEpoch[id] ?? state.latestCheckpoint?.epoch ?? 0,
                                       reason: reason))
            case .queued, .orphaned:
                stop(trialID: id, attempt: state.attemptsStarted)
                events.append(.stopped(trialID: id, attempt: 0, epoch: state.latestCheckpoint?.epoch ?? 0, reason: reason))
            case .finished:
                break
            }
        }
        _ = now
        return events
    }

    /// Rebuilds the rule's and the budget's state from what a previous run recorded.
    mutating func restoreEarlyStopping(_ restored: [String: RestoredTrial]) {
        for id in restored.keys.sorted() {
            guard let old = restored[id], trials[id] != nil else { continue }
            stopping?.restore(trialID: id, valLosses: old.valLosses, stoppedAt: old.stoppedEpoch)
            spentEpochs += old.valLosses.count
            spentSeconds += old.secondsTrained
        }
        // A budget already spent stops the rest on the first tick, where its events are acted on.
    }
}
