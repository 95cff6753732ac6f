import Testing
@testable import SweepCoordinator

/// One trial "t1" of `epochs` epochs and `cost` estimated MACs; leases never expire on their own
/// here (lostAfter is huge), so only the progress watchdog can end an attempt.
private func makeScheduler(cost: Double? = 1, epochs: Int = 4, maxAttempts: Int = 3) -> Scheduler {
    var policy = SchedulerPolicy(heartbeatInterval: 1, suspectAfterMissedBeats: 3, lostAfter: 1e9,
                                 quarantineAfterInfraFailures: 100, adoptionWindow: 30)
    policy.progressMinimum = 600
    policy.firstEpochMinimum = 1800
    policy.assumedFLOPsPerSecond = 1e9
    let trial = ScheduledTrial(number: 1, id: "t1", maxAttempts: maxAttempts, epochs: epochs, estimatedCost: cost)
    return Scheduler(trials: [trial], policy: policy, now: 0)
}

private let w1 = WorkerID("w1")
private let w2 = WorkerID("w2")

/// The worker keeps heartbeating (renewing its lease) every second from `from` to `to`, with ticks;
/// returns every event.
private func beat(_ s: inout Scheduler, _ worker: WorkerID, from: Double, to: Double) -> [SchedulerEvent] {
    var events: [SchedulerEvent] = []
    var t = from
    while t <= to {
        events += s.heard(from: worker, now: t)
        events += s.tick(now: t)
        t += 1
    }
    return events
}

private func stops(_ events: [SchedulerEvent]) -> [SchedulerEvent] {
    events.filter { if case .stop = $0 { true } else { false } }
}

private func assigned(_ s: inout Scheduler, _ worker: WorkerID, now: Double) -> Assignment? {
    _ = s.hello(worker, host: "h", cores: 1, running: nil, now: now)
    return s.ready(worker, now: now).compactMap { if case .assign(let a) = $0 { a } else { nil } }.first
}

@Suite struct ProgressWatchdogTests {
    @Test func beforeTheFirstEpochTheFirstEpochMinimumAppliesThenTheAttemptIsChargedAndRequeued() throws {
        var s = makeScheduler()
        let a = try #require(assigned(&s, w1, now: 0))
        #expect(s.progressLimit(trialID: "t1") == 1800)
        #expect(stops(beat(&s, w1, from: 1, to: 1799)).isEmpty, "heartbeats alone are not cut off early")
        let events = beat(&s, w1, from: 1800, to: 1800)
        #expect(events.contains(.stop(worker: w1, trialID: "t1", attempt: a.attempt, code: .leaseLost)))
        #expect(events.contains { if case .requeued("t1", 1, let reason) = $0 { reason.contains("no progress") } else { false } })
        #expect(s.state(of: "t1")?.infraFailures == 1)
        #expect(s.state(of: "t1")?.phase == .queued)
        #expect(s.worker(w1)?.trialID == nil)
        // Another worker gets attempt 2.
        #expect(assigned(&s, w2, now: 1801)?.attempt == 2)
    }

    @Test func theEstimatedEpochTimeAtAConservativeSpeedRaisesTheFirstEpochLimit() throws {
        // 2e12 MACs over 2 epochs = 2e12 FLOPs per epoch = 2,000 s at 1 GFLOP/s: limit 20,000 s.
        var s = makeScheduler(cost: 2e12, epochs: 2)
        _ = try #require(assigned(&s, w1, now: 0))
        #expect(s.progressLimit(trialID: "t1") == 20_000)
        #expect(stops(s.tick(now: 19_999)).isEmpty)
        #expect(!stops(s.tick(now: 20_000)).isEmpty)
    }

    @Test func afterAnEpochTheLimitIsTenTimesTheLongestEpochAndEachReportRestartsTheClock() throws {
        var s = makeScheduler(cost: 2e12, epochs: 2)
        let a = try #require(assigned(&s, w1, now: 0))
        s.progressReported(trialID: "t1", attempt: a.attempt, epochSeconds: 100, now: 50)
        #expect(s.progressLimit(trialID: "t1") == 1000, "10 × 100 s, not the first-epoch estimate")
        // A CHECKPOINT also counts as progress.
        s.progressReported(trialID: "t1", attempt: a.attempt, epochSeconds: nil, now: 1000)
        #expect(stops(s.tick(now: 1999)).isEmpty)
        #expect(stops(s.tick(now: 2000)) == [.stop(worker: w1, trialID: "t1", attempt: 1, code: .leaseLost)])
    }

    @Test func theMinimumAppliesToShortEpochsAndAReportFromAnotherAttemptChangesNothing() throws {
        var s = makeScheduler()
        let a = try #require(assigned(&s, w1, now: 0))
        s.progressReported(trialID: "t1", attempt: a.attempt, epochSeconds: 1, now: 10)
        #expect(s.progressLimit(trialID: "t1") == 600)
        s.progressReported(trialID: "t1", attempt: a.attempt + 1, epochSeconds: 1, now: 500)
        #expect(!stops(s.tick(now: 610)).isEmpty)
    }

    @Test func aResumedAttemptIsJudgedByTheEpochsOfEarlierAttempts() throws {
        var s = makeScheduler()
        let first = try #require(assigned(&s, w1, now: 0))
        // The gap between two epochs (300 s) is longer than what the worker measured (90 s).
        s.progressReported(trialID: "t1", attempt: first.attempt, epochSeconds: 90, now: 100)
        s.progressReported(trialID: "t1", attempt: first.attempt, epochSeconds: 90, now: 400)
        _ = s.bye(w1, now: 401)
        let second = try #require(assigned(&s, w2, now: 402))
        #expect(second.attempt == 2)
        #expect(s.progressLimit(trialID: "t1") == 3000)
        #expect(stops(s.tick(now: 402 + 2999)).isEmpty)
        #expect(!stops(s.tick(now: 402 + 3000)).isEmpty)
    }

    @Test func aStalledAttemptResumesElsewhereFromItsCheckpointAndAReconnectDoesNotResetTheClock() throws {
        var s = makeScheduler()
        let a = try #require(assigned(&s, w1, now: 0))
        let ref = StoredCheckpoint(epoch: 2, path: "checkpoints/t1/epoch-2-attempt-1.safetensors", sha256: "ab")
        s.progressReported(trialID: "t1", attempt: a.attempt, epochSeconds: nil, now: 100)
        let kept = s.checkpointStored(trialID: "t1", attempt: a.attempt, worker: w1, ref: ref)
        #expect(kept)
        // The same worker re-adopts its lease under a new identity: the attempt and its clock go on.
        let w1b = WorkerID("w1b")
        _ = s.hello(w1b, host: "h", cores: 1, running: LeaseKey(trialID: "t1", attempt: a.attempt, leaseID: a.leaseID), now: 1000)
        #expect(s.state(of: "t1")?.phase == .running(worker: w1b, attempt: 1))
        let before = stops(beat(&s, w1b, from: 1001, to: 1899))
        #expect(before.isEmpty)
        let at = stops(beat(&s, w1b, from: 1900, to: 1900))
        #expect(at == [.stop(worker: w1b, trialID: "t1", attempt: 1, code: .leaseLost)])
        let next = try #require(assigned(&s, w2, now: 1901))
        #expect(next.attempt == 2)
        #expect(next.resumeFrom == ref)
    }

    @Test func aTrialThatNeverProgressesRunsOutOfAttempts() throws {
        var s = makeScheduler(maxAttempts: 2)
        _ = try #require(assigned(&s, w1, now: 0))
        #expect(!stops(beat(&s, w1, from: 1, to: 1800)).isEmpty)
        let second = s.ready(w1, now: 1801).compactMap { if case .assign(let a) = $0 { a } else { nil } }.first
        #expect(second?.attempt == 2)
        let events = beat(&s, w1, from: 1802, to: 1801 + 1800)
        #expect(events.contains { if case .trialFailed("t1", 2, _) = $0 { true } else { false } })
        #expect(s.counts.failed == 1)
    }
}
