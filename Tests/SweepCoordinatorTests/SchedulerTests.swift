import Testing
@testable import SweepCoordinator

/// Builds a scheduler over trials "t1"..."tN" with short, explicit timings.
private func makeScheduler(_ n: Int, maxAttempts: Int = 3, restored: [String: Scheduler.RestoredTrial] = [:],
                           lostAfter: Double = 30, adoptionWindow: Double = 30) -> Scheduler {
    let trials = (1...n).map { ScheduledTrial(number: $0, id: "t\($0)", maxAttempts: maxAttempts) }
    let policy = SchedulerPolicy(heartbeatInterval: 1, suspectAfterMissedBeats: 3, lostAfter: lostAfter,
                                 quarantineAfterInfraFailures: 3, adoptionWindow: adoptionWindow)
    return Scheduler(trials: trials, restored: restored, policy: policy, now: 0)
}

private func assignments(_ events: [SchedulerEvent]) -> [Assignment] {
    events.compactMap { if case .assign(let a) = $0 { a } else { nil } }
}

/// Connects `worker` at time 0 and fails each trial it is given, three times in a row (t = 1, 2, 3),
/// readying it again after each failure. Returns the events of the last step.
private func failThreeTimesInARow(_ worker: WorkerID, _ s: inout Scheduler) -> [SchedulerEvent] {
    _ = s.hello(worker, host: "a", cores: 1, running: nil, now: 0)
    var events = s.ready(worker, now: 0)
    for i in 1...3 {
        let a = assignments(events).first!
        events = s.infraFailure(from: worker, trialID: a.trialID, attempt: a.attempt, reason: "boom", now: Double(i))
        events += s.ready(worker, now: Double(i))
    }
    return events
}

/// The key of a lease the scheduler granted (or a forged one, with `leaseID`).
private func key(_ s: Scheduler, _ trialID: String, _ attempt: Int, leaseID: String? = nil) -> LeaseKey {
    LeaseKey(trialID: trialID, attempt: attempt, leaseID: leaseID ?? s.state(of: trialID)?.leases[attempt]?.id ?? "none")
}

private let w1 = WorkerID("w1")
private let w2 = WorkerID("w2")

@Suite struct SchedulerTests {
    @Test func assignsInScheduleOrderToReadyWorkers() {
        var s = makeScheduler(3)
        _ = s.hello(w1, host: "a", cores: 1, running: nil, now: 0)
        _ = s.hello(w2, host: "b", cores: 1, running: nil, now: 0)
        let first = assignments(s.ready(w1, now: 0.1))
        let second = assignments(s.ready(w2, now: 0.2))
        #expect(first.map(\.trialID) == ["t1"])
        #expect(second.map(\.trialID) == ["t2"])
        #expect(first.first?.attempt == 1)
        #expect(s.counts.running == 2)
        #expect(s.counts.queued == 1)
    }

    @Test func resultCommitsOnceThenDuplicatesGetTheSameAckAndLaterCopiesAreStopped() {
        var s = makeScheduler(1)
        _ = s.hello(w1, host: "a", cores: 1, running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        let lease = key(s, "t1", 1)
        #expect(lease.leaseID.count == 32)
        #expect(s.judge(lease, from: w1, kind: .result, now: 1).verdict == .holder)
        #expect(s.judge(lease, from: w2, kind: .result, now: 1).verdict == .rejected(.notLeaseHolder))
        #expect(s.judge(key(s, "t1", 1, leaseID: "t1/1"), from: w1, kind: .result, now: 1).verdict == .rejected(.notLeaseHolder))
        _ = s.resultCommitted(trialID: "t1", attempt: 1, outcome: .done, from: w1, now: 1)
        #expect(s.judge(lease, from: w1, kind: .result, now: 2).verdict == .duplicate)
        #expect(s.judge(key(s, "t1", 2, leaseID: lease.leaseID), from: w1, kind: .result, now: 2).verdict == .rejected(.notLeaseHolder))
        #expect(s.judge(key(s, "nope", 1, leaseID: lease.leaseID), from: w1, kind: .result, now: 2).verdict == .rejected(.unknownTrial))
        #expect(s.isComplete)
        #expect(s.counts.done == 1)
    }

    @Test func silentWorkerIsSuspectThenLostAndItsTrialResumesElsewhereFromTheCheckpoint() {
        var s = makeScheduler(2, lostAfter: 30)
        _ = s.hello(w1, host: "a", cores: 1, running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        let ref = StoredCheckpoint(epoch: 2, path: "checkpoints/t1/latest.safetensors", sha256: "ab")
        do { let r = s.checkpointStored(trialID: "t1", attempt: 1, worker: w1, ref: ref); #expect(r) }
        // w2 joins and takes t2; w1 goes quiet.
        _ = s.hello(w2, host: "b", cores: 1, running: nil, now: 1)
        _ = s.ready(w2, now: 1)
        var t = 1.0
        var sawSuspect = false
        while t < 29 {
            t += 1
            _ = s.heard(from: w2, now: t)
            if s.tick(now: t).contains(.workerSuspect(w1)) { sawSuspect = true }
        }
        #expect(sawSuspect)
        #expect(s.worker(w1)?.suspect == true)
        #expect(s.state(of: "t1")?.phase == .running(worker: w1, attempt: 1))   // not requeued before the grace
        _ = s.heard(from: w2, now: 30)
        let lostEvents = s.tick(now: 30)
        #expect(lostEvents.contains(.workerLost(w1)))
        #expect(lostEvents.contains(.requeued(trialID: "t1", attempt: 1, reason: "worker w1 silent for 30 s")))
        // w2 finishes t2 and gets t1, attempt 2, resuming from the epoch-2 checkpoint.
        _ = s.resultCommitted(trialID: "t2", attempt: 1, outcome: .done, from: w2, now: 31)
        let next = assignments(s.ready(w2, now: 31))
        #expect(next == [Assignment(worker: w2, trialID: "t1", attempt: 2, leaseID: next.first?.leaseID ?? "", resumeFrom: ref)])
        #expect(next.first?.leaseID != s.state(of: "t1")?.leases[1]?.id)
    }

    @Test func lostWorkerComingBackIsStoppedOnceAnotherAttemptWon() {
        var s = makeScheduler(1, lostAfter: 5)
        _ = s.hello(w1, host: "a", cores: 1, running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        _ = s.hello(w2, host: "b", cores: 1, running: nil, now: 0)
        _ = s.ready(w2, now: 0)
        for t in 1...5 { _ = s.heard(from: w2, now: Double(t)); _ = s.tick(now: Double(t)) }
        // t1 now runs on w2 as attempt 2.
        #expect(s.state(of: "t1")?.phase == .running(worker: w2, attempt: 2))
        // w1 re-appears and claims it is still training attempt 1: stop it.
        let first = key(s, "t1", 1)
        let events = s.hello(w1, host: "a", cores: 1, running: first, now: 6)
        #expect(events == [.stop(worker: w1, trialID: "t1", attempt: 1, code: .leaseLost)])
        // Its progress is not accepted any more, but its result (same worker, exact expired lease) is:
        // the live holder of attempt 2 is told to stop.
        #expect(s.judge(first, from: w1, kind: .progress, now: 6).verdict == .rejected(.leaseLost))
        #expect(s.judge(first, from: w1, kind: .result, now: 7).verdict == .lateHolder)
        #expect(s.judge(first, from: w2, kind: .result, now: 7).verdict == .rejected(.leaseLost))
        let after = s.resultCommitted(trialID: "t1", attempt: 1, outcome: .done, from: w1, now: 7)
        #expect(after == [.stop(worker: w2, trialID: "t1", attempt: 2, code: .superseded)])
        #expect(s.judge(key(s, "t1", 2), from: w2, kind: .result, now: 8).verdict == .rejected(.superseded))
        // A stale progress report from attempt 2 is answered with STOP.
        #expect(s.judge(key(s, "t1", 2), from: w2, kind: .progress, now: 8).verdict == .rejected(.superseded))
    }

    @Test func infraFailuresAreRetriedUpToMaxAttemptsThenFailed() {
        var s = makeScheduler(1, maxAttempts: 2)
        _ = s.hello(w1, host: "a", cores: 1, running: nil, now: 0)
        let first = assignments(s.ready(w1, now: 0))
        #expect(first.first?.attempt == 1)
        let retry = s.infraFailure(from: w1, trialID: "t1", attempt: 1, reason: "oom", now: 1)
        #expect(retry.contains(.requeued(trialID: "t1", attempt: 1, reason: "oom")))
        let second = assignments(s.ready(w1, now: 2))
        #expect(second.first?.attempt == 2)
        let last = s.infraFailure(from: w1, trialID: "t1", attempt: 2, reason: "oom", now: 3)
        #expect(last.contains(.trialFailed(trialID: "t1", attempts: 2, reason: "oom")))
        #expect(s.counts.failed == 1)
        #expect(s.isComplete)
    }

    @Test func aWorkersOwnStorageFailureChargesTheWorkerNotTheTrial() {
        var s = makeScheduler(1, maxAttempts: 1)
        _ = s.hello(w1, host: "a", cores: 1, running: nil, now: 0)
        for attempt in 1...3 {
            #expect(assignments(s.ready(w1, now: Double(attempt))).first?.attempt == attempt)
            let events = s.infraFailure(from: w1, trialID: "t1", attempt: attempt, reason: "disk full", workerFault: true,
                                        now: Double(attempt) + 0.5)
            #expect(events.contains(.requeued(trialID: "t1", attempt: attempt, reason: "disk full")))
        }
        // One attempt allowed, three used, and the trial still waits; the worker is quarantined.
        #expect(s.state(of: "t1")?.infraFailures == 0 && s.counts.failed == 0 && !s.isComplete)
        #expect(s.worker(w1)?.quarantined == true)
        // The same failure without the flag fails the trial at once.
        _ = s.hello(w2, host: "b", cores: 1, running: nil, now: 5)
        #expect(assignments(s.ready(w2, now: 5)).first?.attempt == 4)
        #expect(s.infraFailure(from: w2, trialID: "t1", attempt: 4, reason: "oom", now: 6)
            .contains(.trialFailed(trialID: "t1", attempts: 4, reason: "oom")))
    }

    @Test func configErrorsAndDivergenceAreResultsNotRetries() {
        var s = makeScheduler(2)
        _ = s.hello(w1, host: "a", cores: 1, running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        _ = s.resultCommitted(trialID: "t1", attempt: 1, outcome: .diverged, from: w1, now: 1)
        let next = assignments(s.ready(w1, now: 1))
        #expect(next.map(\.trialID) == ["t2"])
        _ = s.resultCommitted(trialID: "t2", attempt: 1, outcome: .configError, from: w1, now: 2)
        #expect(s.counts.diverged == 1 && s.counts.configError == 1)
        #expect(s.state(of: "t1")?.attemptsStarted == 1)
        #expect(s.isComplete)
    }

    @Test func workerWithThreeInfraFailuresInARowIsQuarantined() {
        var s = makeScheduler(4, maxAttempts: 5)
        let events = failThreeTimesInARow(w1, &s)
        #expect(s.worker(w1)?.quarantined == true)
        #expect(assignments(events).isEmpty)
        // A healthy worker still gets the requeued trial, resuming at attempt 4.
        _ = s.hello(w2, host: "b", cores: 1, running: nil, now: 4)
        let healthy = assignments(s.ready(w2, now: 4))
        #expect(healthy.first == Assignment(worker: w2, trialID: "t1", attempt: 4, leaseID: healthy.first?.leaseID ?? "", resumeFrom: nil))
    }

    @Test func aQuarantineRunsOutAndTheWorkerIsOnProbation() {
        var s = makeScheduler(4, maxAttempts: 9)  // default quarantineSeconds: 600
        var events = failThreeTimesInARow(w1, &s)
        #expect(s.worker(w1)?.quarantined == true)
        // Still quarantined just before the end (the worker keeps heartbeating).
        _ = s.heard(from: w1, now: 602)
        #expect(assignments(s.tick(now: 602.5)).isEmpty)
        _ = s.heard(from: w1, now: 603)
        events = s.tick(now: 603.5)
        #expect(events.contains(.workerReleased(w1)))
        #expect(s.worker(w1)?.quarantined == false)
        let again = assignments(events)
        #expect(again.map(\.worker) == [w1])
        // On probation: a single further infra failure quarantines it again.
        let a = again.first!
        events = s.infraFailure(from: w1, trialID: a.trialID, attempt: a.attempt, reason: "boom", now: 604)
        #expect(events.contains(.workerQuarantined(w1)))
        #expect(s.worker(w1)?.quarantined == true)
    }

    @Test func successResetsTheConsecutiveInfraFailureCount() {
        var s = makeScheduler(3, maxAttempts: 5)
        _ = s.hello(w1, host: "a", cores: 1, running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        _ = s.infraFailure(from: w1, trialID: "t1", attempt: 1, reason: "x", now: 1)
        _ = s.ready(w1, now: 1)
        _ = s.infraFailure(from: w1, trialID: "t1", attempt: 2, reason: "x", now: 2)
        _ = s.ready(w1, now: 2)
        _ = s.resultCommitted(trialID: "t1", attempt: 3, outcome: .done, from: w1, now: 3)
        #expect(s.worker(w1)?.consecutiveInfraFailures == 0)
    }

    @Test func restartedCoordinatorKeepsFinishedTrialsAndReadoptsRunningOnes() {
        let ref = StoredCheckpoint(epoch: 3, path: "checkpoints/t2/latest.safetensors", sha256: "cd")
        let restored: [String: Scheduler.RestoredTrial] = [
            "t1": .init(outcome: .done, winningAttempt: 1, attemptsStarted: 1,
                        leases: [1: Lease(id: "old-t1", worker: WorkerID("gone"), workerName: "a")]),
            "t2": .init(attemptsStarted: 1, wasRunning: true, latestCheckpoint: ref,
                        leases: [1: Lease(id: "old-t2", worker: WorkerID("gone"), workerName: "a")]),
        ]
        var s = makeScheduler(3, restored: restored, adoptionWindow: 10)
        #expect(s.counts.done == 1)
        // A fresh worker gets t3, not the orphan t2 (its worker may still say HELLO).
        _ = s.hello(w2, host: "b", cores: 1, running: nil, now: 0)
        let fresh = assignments(s.ready(w2, now: 0))
        #expect(fresh.map(\.trialID) == ["t3"])
        // The old worker reconnects and is still training t2: adopted, no new attempt.
        // A claim with another lease id or attempt is refused; the real lease is re-adopted, no new attempt.
        #expect(s.hello(w1, host: "a", cores: 1, running: key(s, "t2", 1, leaseID: "guess"), now: 2)
            == [.stop(worker: w1, trialID: "t2", attempt: 1, code: .notLeaseHolder)])
        #expect(s.hello(w1, host: "a", cores: 1, running: key(s, "t2", 9, leaseID: "old-t2"), now: 2)
            == [.stop(worker: w1, trialID: "t2", attempt: 9, code: .notLeaseHolder)])
        let events = s.hello(w1, host: "a", cores: 1, running: key(s, "t2", 1), now: 2)
        // Elastic cores: a growth this coordinator did not grant is set back to the trial's own threads.
        #expect(events == [.adopted(worker: w1, trialID: "t2", attempt: 1),
                           .threads(CoreCommand(worker: w1, trialID: "t2", attempt: 1, threads: 1, cpus: [], previous: 1))])
        #expect(s.state(of: "t2")?.phase == .running(worker: w1, attempt: 1))
        #expect(s.state(of: "t2")?.attemptsStarted == 1)
        #expect(s.judge(key(s, "t1", 1), from: w1, kind: .result, now: 3).verdict == .duplicate)
    }

    @Test func orphanIsRequeuedWhenNoWorkerReadoptsItAndResumesFromItsCheckpoint() {
        let ref = StoredCheckpoint(epoch: 1, path: "checkpoints/t1/latest.safetensors", sha256: "ef")
        var s = makeScheduler(1, restored: ["t1": .init(attemptsStarted: 1, wasRunning: true, latestCheckpoint: ref)],
                              adoptionWindow: 10)
        _ = s.hello(w1, host: "a", cores: 1, running: nil, now: 0)
        // Its old worker may still say HELLO: it is not handed out during the adoption window...
        let early = assignments(s.ready(w1, now: 0))
        #expect(early.isEmpty)
        // ...and once the window closes it resumes from its checkpoint as a new attempt.
        _ = s.heard(from: w1, now: 10)
        let events = s.tick(now: 10)
        #expect(events.contains(.requeued(trialID: "t1", attempt: 1, reason: "no worker re-adopted it after a restart")))
        #expect(assignments(events) == [Assignment(worker: w1, trialID: "t1", attempt: 2,
                                                   leaseID: assignments(events).first?.leaseID ?? "", resumeFrom: ref)])
    }

    @Test func drainingStopsNewAssignments() {
        var s = makeScheduler(2)
        _ = s.hello(w1, host: "a", cores: 1, running: nil, now: 0)
        s.beginDrain()
        let none = assignments(s.ready(w1, now: 0))
        #expect(none.isEmpty)
        #expect(s.counts.queued == 2)
    }

    @Test func byeRequeuesWithoutChargingAnAttempt() {
        var s = makeScheduler(1, maxAttempts: 1)
        _ = s.hello(w1, host: "a", cores: 1, running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        let events = s.bye(w1, now: 1)
        #expect(events == [.requeued(trialID: "t1", attempt: 1, reason: "worker w1 left")])
        #expect(s.state(of: "t1")?.infraFailures == 0)
        #expect(s.counts.queued == 1)
    }

    @Test func staleCheckpointsAreIgnored() {
        var s = makeScheduler(1)
        _ = s.hello(w1, host: "a", cores: 1, running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        let ref = StoredCheckpoint(epoch: 1, path: "p", sha256: "x")
        do { let r = s.checkpointStored(trialID: "t1", attempt: 2, worker: w1, ref: ref); #expect(!r) }
        do { let r = s.checkpointStored(trialID: "t1", attempt: 1, worker: w2, ref: ref); #expect(!r) }
        do { let r = s.checkpointStored(trialID: "t1", attempt: 1, worker: w1, ref: ref); #expect(r) }
    }
}
