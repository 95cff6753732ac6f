import SweepProtocol
import Testing
@testable import SweepCoordinator

/// Prefetch (SPEC.md §3.5) as a pure state machine: a busy worker that offered `prefetch` is given
/// its next trial only when no idle worker could take it and its running trial is about to end;
/// that trial starts when the running one ends, and goes back to the queue uncharged when the
/// worker goes away holding it.
private func prefetchScheduler(_ n: Int, epochs: Int = 2) -> Scheduler {
    let trials = (1...n).map { ScheduledTrial(number: $0, id: "t\($0)", maxAttempts: 3, epochs: epochs, estimatedCost: 1e6) }
    var policy = SchedulerPolicy(heartbeatInterval: 1, suspectAfterMissedBeats: 1_000, lostAfter: 1e6,
                                 quarantineAfterInfraFailures: 100, adoptionWindow: 0)
    policy.pausing = false
    return Scheduler(trials: trials, policy: policy, now: 0)
}

private let w1 = WorkerID("w1")
private let w2 = WorkerID("w2")

private func assigned(_ events: [SchedulerEvent]) -> [Assignment] {
    events.compactMap { if case .assign(let a) = $0 { a } else { nil } }
}

private func requeued(_ events: [SchedulerEvent]) -> [String] {
    events.compactMap { if case .requeued(let id, let attempt, _) = $0 { "\(id)/\(attempt)" } else { nil } }
}

/// The holder of `trialID` reports `epoch`, which took `seconds`: the sweep's pace becomes known.
private func epochDone(_ s: inout Scheduler, _ trialID: String, epoch: Int, seconds: Double, now: Double) -> [SchedulerEvent] {
    guard case .running(_, let attempt)? = s.state(of: trialID)?.phase else { return [] }
    s.progressReported(trialID: trialID, attempt: attempt, epochSeconds: seconds, now: now)
    return s.epochReported(trialID: trialID, attempt: attempt, epoch: epoch, valLoss: 1, seconds: seconds, now: now)
}

/// One worker with prefetch trains t1, has finished its first epoch in 0.1 s and is given t2 to hold.
private func holdingT2() -> Scheduler {
    var s = prefetchScheduler(4)
    _ = s.hello(w1, host: "h", cores: 1, running: nil, prefetch: 1, now: 0)
    #expect(assigned(s.ready(w1, now: 0)).map(\.trialID) == ["t1"])
    _ = epochDone(&s, "t1", epoch: 1, seconds: 0.1, now: 0.1)
    let held = assigned(s.tick(now: 0.15))
    #expect(held.map(\.trialID) == ["t2"] && held.first?.worker == w1)
    return s
}

@Suite struct PrefetchSchedulerTests {
    @Test func aBusyWorkerHoldsOnlyOnceThePaceShowsItsTrialEndsSoon() {
        var s = prefetchScheduler(4)
        _ = s.hello(w1, host: "h", cores: 1, running: nil, prefetch: 1, now: 0)
        // Before any epoch nobody knows how long t1 takes: nothing is held.
        #expect(assigned(s.ready(w1, now: 0)).map(\.trialID) == ["t1"])
        #expect(assigned(s.tick(now: 1)).isEmpty)
        // Its first epoch took 60 s: one more is a minute away, too far to hold a trial behind it.
        _ = epochDone(&s, "t1", epoch: 1, seconds: 60, now: 61)
        #expect(assigned(s.tick(now: 62)).isEmpty)
        // Under a second left: t2 is leased to w1 and held there, without cores or a watchdog.
        #expect(assigned(s.tick(now: 120.5)).map(\.trialID) == ["t2"])
        #expect(s.worker(w1)?.trialID == "t1" && s.worker(w1)?.heldTrialIDs == ["t2"])
        #expect(s.state(of: "t2")?.phase == .running(worker: w1, attempt: 1))
        #expect(s.threads(of: "t2") == nil && s.progressWatches["t2"] == nil)
        // As many held trials as the worker offered.
        #expect(assigned(s.tick(now: 120.6)).isEmpty)
        #expect(s.counts.queued == 2 && s.counts.running == 2)
    }

    @Test func aWorkerThatDidNotOfferPrefetchNeverHolds() {
        var s = prefetchScheduler(3)
        _ = s.hello(w1, host: "h", cores: 1, running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        _ = epochDone(&s, "t1", epoch: 1, seconds: 0.1, now: 0.1)
        #expect(assigned(s.tick(now: 0.15)).isEmpty)
        #expect(s.worker(w1)?.heldTrialIDs == [])
    }

    @Test func anIdleWorkerIsServedBeforeABusyOneHolds() {
        var s = prefetchScheduler(2)
        _ = s.hello(w1, host: "h", cores: 1, running: nil, prefetch: 1, now: 0)
        _ = s.hello(w2, host: "h", cores: 1, running: nil, prefetch: 1, now: 0)
        _ = s.ready(w1, now: 0)
        _ = epochDone(&s, "t1", epoch: 1, seconds: 0.1, now: 0.1)
        // w2 has not said READY yet; once it does, the last trial is its, not held at w1.
        #expect(assigned(s.ready(w2, now: 0.12)).map { "\($0.trialID)@\($0.worker)" } == ["t2@w2"])
        #expect(s.worker(w1)?.heldTrialIDs == [] && s.worker(w2)?.heldTrialIDs == [])
    }

    @Test func theResultOfTheRunningTrialStartsTheHeldOneAndHoldsTheNext() {
        var s = holdingT2()
        let events = s.resultCommitted(trialID: "t1", attempt: 1, outcome: .done, from: w1, now: 0.2)
        #expect(s.worker(w1)?.trialID == "t2")
        #expect(s.threads(of: "t2") == 1 && s.progressWatches["t2"]?.since == 0.2)
        // Its slot is free again: t3 is held behind t2 at once.
        #expect(assigned(events).map(\.trialID) == ["t3"])
        #expect(s.worker(w1)?.heldTrialIDs == ["t3"])
        // Reports about the held trial are its holder's, and only its holder's.
        let lease = LeaseKey(trialID: "t3", attempt: 1, leaseID: s.state(of: "t3")?.leases[1]?.id ?? "")
        #expect(s.judge(lease, from: w1, kind: .progress, now: 0.3).verdict == .holder)
        #expect(s.judge(lease, from: w2, kind: .progress, now: 0.3).verdict == .rejected(.notLeaseHolder))
    }

    @Test func aReadyThatCrossedAnAssignDoesNotEndTheTrialOnItsWay() {
        var s = holdingT2()
        // The worker finished t1 before t2's ASSIGN arrived, so it said READY having received one ASSIGN.
        _ = s.resultCommitted(trialID: "t1", attempt: 1, outcome: .done, from: w1, now: 0.2)
        let events = s.ready(w1, assigned: 1, now: 0.21)
        #expect(requeued(events).isEmpty)
        #expect(s.worker(w1)?.trialID == "t2" && s.state(of: "t2")?.phase == .running(worker: w1, attempt: 1))
        #expect(s.state(of: "t2")?.infraFailures == 0)
        // A READY that counts every ASSIGN sent means what it always meant: the worker holds nothing.
        let sent = s.worker(w1)?.assignsSent ?? 0
        #expect(sent == 3)
        let idle = s.ready(w1, assigned: sent, now: 0.3)
        #expect(requeued(idle) == ["t3/1", "t2/1"])
        #expect(s.state(of: "t2")?.infraFailures == 1 && s.state(of: "t3")?.infraFailures == 0)
    }

    @Test func aWorkerThatExitsGivesBackItsHeldTrialUncharged() {
        var s = holdingT2()
        let events = s.exited(w1, reason: "worker w1 exited (signal 9)", now: 0.3)
        #expect(Set(requeued(events)) == ["t1/1", "t2/1"])
        #expect(s.state(of: "t1")?.infraFailures == 1)
        #expect(s.state(of: "t2")?.infraFailures == 0 && s.state(of: "t2")?.phase == .queued)
        #expect(s.counts.running == 0 && s.counts.queued == 4)
        // The next worker gets both again, each under a new attempt and lease.
        _ = s.hello(w2, host: "h", cores: 1, running: nil, now: 1)
        let next = assigned(s.ready(w2, now: 1))
        #expect(next.count == 1 && ["t1", "t2"].contains(next.first?.trialID ?? "") && next.first?.attempt == 2)
    }

    @Test func aLostOrStoppedRunningTrialStartsTheHeldOne() {
        var s = holdingT2()
        // The worker reports t1 failed (infra): charged, requeued, and w1 moves on to t2.
        let events = s.infraFailure(from: w1, trialID: "t1", attempt: 1, reason: "boom", now: 0.2)
        #expect(requeued(events) == ["t1/1"])
        #expect(s.worker(w1)?.trialID == "t2" && s.threads(of: "t2") == 1)
        // The held slot fills again behind t2; t1 went to the front of the queue.
        #expect(s.worker(w1)?.heldTrialIDs == ["t1"])
    }

    @Test func aHeldAssignmentThatCannotBeRecordedIsTakenBack() {
        var s = holdingT2()
        let lease = s.state(of: "t2")?.leases[1]?.id ?? ""
        s.unassign(Assignment(worker: w1, trialID: "t2", attempt: 1, leaseID: lease, resumeFrom: nil), now: 0.2)
        #expect(s.worker(w1)?.heldTrialIDs == [] && s.worker(w1)?.trialID == "t1")
        #expect(s.worker(w1)?.assignsSent == 1)
        #expect(s.state(of: "t2")?.phase == .queued && s.state(of: "t2")?.attemptsStarted == 0)
        #expect(s.queuedTrialIDs.first == "t2")
    }

    @Test func aWorkerThatOffersTwoHoldsTwoWhileTheyStartWithinTheBound() {
        var s = prefetchScheduler(6)
        _ = s.hello(w1, host: "h", cores: 1, running: nil, prefetch: 2, now: 0)
        _ = s.ready(w1, now: 0)
        // Epochs of 0.3 s: t1 ends in 0.3 s, t2 (two epochs) 0.6 s later, so t3 would start in 0.9 s.
        _ = epochDone(&s, "t1", epoch: 1, seconds: 0.3, now: 0.3)
        #expect(assigned(s.tick(now: 0.3)).map(\.trialID) == ["t2", "t3"])
        #expect(s.worker(w1)?.heldTrialIDs == ["t2", "t3"])
        // They start in their order; a worker that goes away gives back the rest in order, uncharged.
        _ = s.resultCommitted(trialID: "t1", attempt: 1, outcome: .done, from: w1, now: 0.4)
        #expect(s.worker(w1)?.trialID == "t2" && s.worker(w1)?.heldTrialIDs.first == "t3")
        let held = s.worker(w1)?.heldTrialIDs ?? []
        let events = s.bye(w1, now: 0.5)
        #expect(requeued(events) == held.map { "\($0)/1" } + ["t2/1"])
        #expect(Array(s.queuedTrialIDs.prefix(held.count + 1)) == ["t2"] + held)
        #expect(["t2", "t3"].allSatisfy { s.state(of: $0)?.infraFailures == 0 })
    }

    @Test func heldTrialsStopWhereTheyWouldStartTooLate() {
        var s = prefetchScheduler(6)
        _ = s.hello(w1, host: "h", cores: 1, running: nil, prefetch: 4, now: 0)
        _ = s.ready(w1, now: 0)
        // Epochs of 0.2 s, two per trial: t2 starts in 0.2 s, t3 in 0.6 s, t4 in 1.0 s, t5 in 1.4 s.
        _ = epochDone(&s, "t1", epoch: 1, seconds: 0.2, now: 0.2)
        #expect(assigned(s.tick(now: 0.2)).map(\.trialID) == ["t2", "t3", "t4"])
    }

    @Test func atTheTailNothingIsHeldSoWhicheverWorkerFreesFirstTakesTheLastTrials() {
        var s = prefetchScheduler(4)
        _ = s.hello(w1, host: "h", cores: 1, running: nil, prefetch: 4, now: 0)
        _ = s.hello(w2, host: "h", cores: 1, running: nil, prefetch: 4, now: 0)
        _ = s.ready(w1, now: 0)
        _ = s.ready(w2, now: 0)
        _ = epochDone(&s, "t1", epoch: 1, seconds: 0.1, now: 0.1)
        // Two queued trials for two workers: holding one would leave the worker that frees first
        // with nothing while it waits behind a running trial.
        #expect(assigned(s.tick(now: 0.15)).isEmpty)
        // t2's worker frees first and takes t3; one trial is left for t1's worker.
        let next = assigned(s.resultCommitted(trialID: "t2", attempt: 1, outcome: .done, from: w2, now: 0.2) + s.ready(w2, now: 0.2))
        #expect(next.map { "\($0.trialID)@\($0.worker)" } == ["t3@w2"])
        #expect(s.worker(w1)?.heldTrialIDs == [] && s.worker(w2)?.heldTrialIDs == [])
    }
}
