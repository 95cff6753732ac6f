import SweepProtocol
import SweepTestSupport
import Testing
@testable import SweepCoordinator

/// Pausing at the tail of a sweep: with fewer queued trials than busy cores, a running trial is
/// paused right after a stored checkpoint when giving its core to the waiting trial ends the sweep
/// sooner, and resumes from that checkpoint on the next free core.
private func pausingScheduler(_ n: Int, epochs: Int, pausing: Bool = true,
                              stopping: (any EarlyStoppingRule)? = nil) -> Scheduler {
    let trials = (1...n).map { ScheduledTrial(number: $0, id: "t\($0)", maxAttempts: 3, epochs: epochs, estimatedCost: 1e9) }
    var policy = SchedulerPolicy(heartbeatInterval: 1, suspectAfterMissedBeats: 1_000, lostAfter: 1e6,
                                 quarantineAfterInfraFailures: 100, adoptionWindow: 0)
    policy.pausing = pausing
    return Scheduler(trials: trials, policy: policy, now: 0, stopping: stopping)
}

private let w1 = WorkerID("w1")
private let w2 = WorkerID("w2")

private func twoWorkers(_ s: inout Scheduler) -> [SchedulerEvent] {
    _ = s.hello(w1, name: "p1", host: "h", cores: 1, running: nil, now: 0)
    _ = s.hello(w2, name: "p2", host: "h", cores: 1, running: nil, now: 0)
    return s.ready(w1, now: 0) + s.ready(w2, now: 0)
}

/// The trial's holder reports `epoch` (taking `seconds`) and its checkpoint is stored.
private func epochDone(_ s: inout Scheduler, _ trialID: String, epoch: Int, seconds: Double, now: Double) -> [SchedulerEvent] {
    guard case .running(let worker, let attempt)? = s.state(of: trialID)?.phase else { return [] }
    s.progressReported(trialID: trialID, attempt: attempt, epochSeconds: seconds, now: now)
    var events = s.epochReported(trialID: trialID, attempt: attempt, epoch: epoch, valLoss: 1, seconds: seconds, now: now)
    let ref = StoredCheckpoint(epoch: epoch, path: "\(trialID)/epoch-\(epoch)", sha256: "\(trialID)-\(epoch)")
    if s.checkpointStored(trialID: trialID, attempt: attempt, worker: worker, ref: ref) {
        events += s.checkpointReady(trialID: trialID, attempt: attempt, epoch: epoch, now: now)
    }
    return events
}

/// The trial's result is committed and its worker says READY.
private func finish(_ s: inout Scheduler, _ trialID: String, now: Double) -> [SchedulerEvent] {
    guard case .running(let worker, let attempt)? = s.state(of: trialID)?.phase else { return [] }
    return s.resultCommitted(trialID: trialID, attempt: attempt, outcome: .done, from: worker, now: now) + s.ready(worker, now: now)
}

private func assigned(_ events: [SchedulerEvent]) -> [Assignment] {
    events.compactMap { if case .assign(let a) = $0 { a } else { nil } }
}

private func pauses(_ events: [SchedulerEvent]) -> [String] {
    events.compactMap { if case .paused(let id, _, let epoch, _) = $0 { "\(id)@\(epoch)" } else { nil } }
}

@Suite struct PausingSchedulerTests {
    @Test func threeEqualTrialsOnTwoCoresEndTogetherAfterOneAndAHalfTrialTimes() {
        var s = pausingScheduler(3, epochs: 2)
        #expect(assigned(twoWorkers(&s)).map(\.trialID) == ["t1", "t2"])
        // Epoch 1 of t1 (10 s): t3 would start at 20 s and end at 40 s; paused, t1 ends at 30 s with the others.
        let events = epochDone(&s, "t1", epoch: 1, seconds: 10, now: 10)
        #expect(pauses(events) == ["t1@1"])
        #expect(events.contains(.stop(worker: w1, trialID: "t1", attempt: 1, code: .paused)))
        #expect(s.state(of: "t1")?.phase == .queued)
        #expect(s.queuedTrialIDs == ["t3", "t1"])
        // w1 says READY after the STOP: the waiting trial gets it.
        #expect(assigned(s.ready(w1, now: 10.1)).map(\.trialID) == ["t3"])
        // t2's epoch 1: pausing it would not end the sweep sooner.
        #expect(pauses(epochDone(&s, "t2", epoch: 1, seconds: 10, now: 10.1)).isEmpty)
        // t2 ends: t1 resumes after the checkpoint it was paused at, under a new attempt.
        let resumed = assigned(finish(&s, "t2", now: 20.1))
        #expect(resumed.map(\.trialID) == ["t1"])
        #expect(resumed.first?.attempt == 2)
        #expect(resumed.first?.resumeFrom?.epoch == 1)
        #expect(resumed.first?.worker == w2)
        _ = epochDone(&s, "t3", epoch: 1, seconds: 10, now: 20.1)
        _ = finish(&s, "t3", now: 30.1)
        _ = finish(&s, "t1", now: 30.2)
        #expect(s.isComplete)
        #expect(s.state(of: "t1")?.infraFailures == 0)
    }

    @Test func theTrialIsPausedAtTheEpochThatEndsTheSweepSoonest() {
        // Ten epochs of 10 s: pausing after epoch 5 ends all three at 150 s; earlier or later is worse.
        var s = pausingScheduler(3, epochs: 10)
        _ = twoWorkers(&s)
        var paused: [String] = []
        for epoch in 1...6 where paused.isEmpty {
            let now = Double(epoch) * 10
            paused += pauses(epochDone(&s, "t1", epoch: epoch, seconds: 10, now: now))
            paused += pauses(epochDone(&s, "t2", epoch: epoch, seconds: 10, now: now + 0.01))
        }
        #expect(paused == ["t1@5"])
    }

    @Test func reportsOfThePausedAttemptAreAnsweredPausedAndItsLeaseCannotBeReadopted() {
        var s = pausingScheduler(3, epochs: 2)
        _ = twoWorkers(&s)
        guard let lease = s.state(of: "t1")?.leases[1]?.id else {
            Issue.record("t1 has no lease")
            return
        }
        #expect(pauses(epochDone(&s, "t1", epoch: 1, seconds: 10, now: 10)) == ["t1@1"])
        let key = LeaseKey(trialID: "t1", attempt: 1, leaseID: lease)
        // PROGRESS of epoch 2 sent before the STOP arrived.
        #expect(s.judge(key, from: w1, kind: .progress, now: 10.1).verdict == .rejected(.paused))
        // The worker reconnects claiming the paused lease: told to stop, the trial stays queued.
        let events = s.hello(WorkerID("w1-again"), name: "p1", host: "h", cores: 1, running: key, now: 10.2)
        #expect(events.contains(.stop(worker: WorkerID("w1-again"), trialID: "t1", attempt: 1, code: .paused)))
        #expect(s.state(of: "t1")?.phase == .queued)
    }

    @Test func aRestartedSchedulerStillRefusesThePausedLease() {
        // What the store left: t1's attempt 1 ended `paused`, the trial queued with its checkpoint.
        var old = Scheduler.RestoredTrial(attemptsStarted: 1, latestCheckpoint: StoredCheckpoint(epoch: 1, path: "t1/e1", sha256: "x"),
                                          leases: [1: Lease(id: "lease-1", worker: w1, workerName: "p1")])
        old.pausedAttempt = 1
        let trials = [ScheduledTrial(number: 1, id: "t1", maxAttempts: 3, epochs: 2, estimatedCost: 1e9)]
        var s = Scheduler(trials: trials, restored: ["t1": old], policy: SchedulerPolicy(adoptionWindow: 0), now: 0)
        let key = LeaseKey(trialID: "t1", attempt: 1, leaseID: "lease-1")
        let events = s.hello(w2, name: "p1", host: "h", cores: 1, running: key, now: 1)
        #expect(events.contains(.stop(worker: w2, trialID: "t1", attempt: 1, code: .paused)))
        #expect(s.judge(key, from: w2, kind: .progress, now: 1).verdict == .rejected(.paused))
        // The next attempt resumes from the checkpoint.
        #expect(assigned(s.ready(w2, now: 2)).first?.resumeFrom?.epoch == 1)
    }

    @Test func nothingIsPausedWhenTheWaitingTrialWouldEndLastAnyway() {
        var s = pausingScheduler(4, epochs: 2)
        _ = twoWorkers(&s)
        // Two trials wait for two busy cores.
        #expect(pauses(epochDone(&s, "t1", epoch: 1, seconds: 10, now: 10)).isEmpty)
        // t1 ends and t3 starts; at t2's checkpoint t4 waits alone, but pausing t2 for it ends
        // nothing sooner (t2 would wait for t3 or t4 as long as t4 waits now).
        _ = finish(&s, "t1", now: 20)
        #expect(pauses(epochDone(&s, "t2", epoch: 1, seconds: 10, now: 20)).isEmpty)
        #expect(s.state(of: "t2")?.phase == .running(worker: w2, attempt: 1))
    }

    @Test func absurdReportedSecondsAreProjectedWithoutTrapping() {
        // A worker's epoch seconds are not bounded: 1e200 s epochs still pause, and the reason
        // text does not turn them into an Int.
        var s = pausingScheduler(3, epochs: 2)
        _ = twoWorkers(&s)
        let events = epochDone(&s, "t1", epoch: 1, seconds: 1e200, now: 1e200)
        #expect(pauses(events) == ["t1@1"])
        let reason = events.compactMap { if case .paused(_, _, _, let reason) = $0 { reason } else { nil } }.first
        #expect(reason?.contains("e+200 s") == true)
    }

    @Test func smallGainsDisabledPausingAndEarlyStoppingPauseNothing() {
        // Epochs of 0.1 s: the sweep would end 0.1 s sooner, below the 2 s a pause must gain.
        var quick = pausingScheduler(3, epochs: 2)
        _ = twoWorkers(&quick)
        #expect(pauses(epochDone(&quick, "t1", epoch: 1, seconds: 0.1, now: 0.1)).isEmpty)
        var off = pausingScheduler(3, epochs: 2, pausing: false)
        _ = twoWorkers(&off)
        #expect(pauses(epochDone(&off, "t1", epoch: 1, seconds: 10, now: 10)).isEmpty)
        var rungs = pausingScheduler(3, epochs: 2, stopping: MedianRule(graceEpochs: 5, minTrials: 3))
        _ = twoWorkers(&rungs)
        #expect(pauses(epochDone(&rungs, "t1", epoch: 1, seconds: 10, now: 10)).isEmpty)
    }
}
