import SweepCore
import SweepTestSupport
import Testing
@testable import SweepCoordinator

/// Drives the pure scheduler with scripted val losses: workers train epoch by epoch, report each
/// epoch (PROGRESS) and its checkpoint, and say READY when their trial ends.
private struct Bench {
    var s: Scheduler
    /// val_loss of each trial by epoch (1-based: losses[id]![epoch - 1]).
    let losses: [String: [Double]]
    let epochs: Int
    /// Every epoch each trial trained, in order (an epoch trained twice would show twice).
    var trained: [String: [Int]] = [:]
    /// What each busy worker trains: trial, attempt, next epoch.
    var busy: [WorkerID: (trial: String, attempt: Int, epoch: Int)] = [:]
    var events: [SchedulerEvent] = []
    var now = 0.0

    init(trials: Int, epochs: Int, losses: [String: [Double]], rule: (any EarlyStoppingRule)?, budget: EarlyStopping.Budget? = nil) {
        let scheduled = (1...trials).map { ScheduledTrial(number: $0, id: "t\($0)", epochs: epochs) }
        s = Scheduler(trials: scheduled, policy: SchedulerPolicy(), now: 0, stopping: rule, budget: budget)
        self.losses = losses
        self.epochs = epochs
    }

    mutating func take(_ new: [SchedulerEvent]) {
        events += new
        for event in new {
            switch event {
            case .assign(let a):
                busy[a.worker] = (a.trialID, a.attempt, (a.resumeFrom?.epoch ?? 0) + 1)
            case .stop(let worker, let trial, _, .earlyStopped):
                if busy[worker]?.trial == trial { busy[worker] = nil }
            default:
                break
            }
        }
    }

    mutating func join(_ worker: WorkerID) {
        now += 0.01
        _ = s.hello(worker, host: "h", cores: 1, running: nil, now: now)
        take(s.ready(worker, now: now))
    }

    /// The worker trains its next epoch: PROGRESS, then the checkpoint; the last epoch's result.
    /// A worker whose trial was stopped says READY instead. Returns false if it had no trial.
    @discardableResult
    mutating func step(_ worker: WorkerID) -> Bool {
        now += 0.01
        guard let job = busy[worker] else {
            take(s.ready(worker, now: now))
            return false
        }
        let loss = losses[job.trial]![job.epoch - 1]
        trained[job.trial, default: []].append(job.epoch)
        take(s.epochReported(trialID: job.trial, attempt: job.attempt, epoch: job.epoch, valLoss: loss, seconds: 1, now: now))
        guard busy[worker]?.trial == job.trial else { return true }
        let ref = StoredCheckpoint(epoch: job.epoch, path: "checkpoints/\(job.trial)/\(job.epoch)", sha256: "00")
        if s.checkpointStored(trialID: job.trial, attempt: job.attempt, worker: worker, ref: ref) {
            take(s.checkpointReady(trialID: job.trial, attempt: job.attempt, epoch: job.epoch, now: now))
        }
        guard busy[worker]?.trial == job.trial else { return true }
        if job.epoch == epochs {
            busy[worker] = nil
            take(s.resultCommitted(trialID: job.trial, attempt: job.attempt, outcome: .done, from: worker, now: now))
            take(s.ready(worker, now: now))
        } else {
            busy[worker]?.epoch += 1
        }
        return true
    }

    var stopped: [String: Int] {
        var result: [String: Int] = [:]
        for case .stopped(let trial, _, let epoch, _) in events { result[trial] = epoch }
        return result
    }
    var promoted: [String] { events.compactMap { if case .promoted(let trial, _, _) = $0 { trial } else { nil } } }
}

private let w1 = WorkerID("w1"), w2 = WorkerID("w2"), w3 = WorkerID("w3"), w4 = WorkerID("w4")

@Suite struct EarlyStoppingSchedulerTests {
    @Test func ashaPausesOutsideTheTopFloorAndPromotesWhenTheRungGrows() throws {
        // Rungs at epochs 1 and 2 of 4, η = 2; one worker trains t1, t2, t3, t4 in turn.
        var bench = Bench(trials: 4, epochs: 4, losses: [
            "t1": [1.0, 0.9, 0.8, 0.7], "t2": [2.0, 1.9, 1.8, 1.7], "t3": [3.0, 2.9, 2.8, 2.7], "t4": [0.5, 0.4, 0.3, 0.2],
        ], rule: ASHARule(minEpochs: 1, maxEpochs: 4, reductionFactor: 2))
        bench.join(w1)
        // t1 is alone at rung 1: the top ⌊1/2⌋ = 0 go on, so it pauses after its epoch-1 checkpoint.
        bench.step(w1)
        #expect(bench.stopped == ["t1": 1])
        #expect(bench.events.contains(.stop(worker: w1, trialID: "t1", attempt: 1, code: .earlyStopped)))
        #expect(bench.s.state(of: "t1")?.phase == .finished(.stopped, attempt: 1))
        // READY: the free worker starts t2 at once; nobody waits for the rung.
        bench.step(w1)
        #expect(bench.busy[w1]?.trial == "t2")
        // t2 is second of two (top 1 go on): it pauses, and t1, first of two, is promoted.
        bench.step(w1)
        #expect(bench.stopped["t2"] == 1)
        #expect(bench.promoted == ["t1"])
        // The promotion goes first: t1 resumes from its epoch-1 checkpoint under attempt 2.
        bench.step(w1)
        let resumed = try #require(bench.events.compactMap { if case .assign(let a) = $0, a.trialID == "t1", a.attempt == 2 { a } else { nil } }.first)
        #expect(resumed.resumeFrom?.epoch == 1)
        // Alone at rung 2 with t3 and t4 still to come: paused again.
        bench.step(w1)
        #expect(bench.stopped["t1"] == 2)
        // t3 is third of three at rung 1 (top 1): paused; nobody new qualifies.
        bench.step(w1)
        bench.step(w1)
        #expect(bench.stopped["t3"] == 1)
        // t4 is first of four at rung 1 (top 2) and first of two at rung 2 (top 1): it goes straight on.
        for _ in 1...5 { bench.step(w1) }
        #expect(bench.s.state(of: "t4")?.phase == .finished(.done, attempt: 1))
        #expect(bench.trained == ["t1": [1, 2], "t2": [1], "t3": [1], "t4": [1, 2, 3, 4]])
        #expect(bench.promoted == ["t1"])
        #expect(bench.s.isComplete)
        #expect(bench.s.counts.stopped == 3 && bench.s.counts.done == 1)
        let decided = bench.events.compactMap { if case .decision(let t, let e, let stop, _) = $0 { "\(t)@\(e):\(stop)" } else { nil } }
        #expect(decided == ["t1@1:true", "t2@1:true", "t1@2:true", "t3@1:true", "t4@1:false", "t4@2:false"])
    }

    /// Once no trial can reach a rung any more, it lets its best max(1, ⌊n/η⌋) go on, so a
    /// finite sweep trains its best trial to max_epochs even when the rung holds fewer than η.
    @Test func aClosedRungPromotesItsBestWhenNoMoreTrialsCanReachIt() {
        var bench = Bench(trials: 2, epochs: 3, losses: ["t1": [1.0, 0.9, 0.8], "t2": [2.0, 1.9, 1.8]],
                          rule: ASHARule(minEpochs: 1, maxEpochs: 3, reductionFactor: 3))
        bench.join(w1)
        bench.join(w2)
        // t2 still trains toward rung 1: t1 pauses there.
        bench.step(w1)
        #expect(bench.stopped == ["t1": 1])
        #expect(bench.promoted.isEmpty)
        // t2 is the last trial to reach it: the rung closes, t2 (second) pauses and t1 goes on.
        bench.step(w2)
        #expect(bench.stopped == ["t1": 1, "t2": 1])
        #expect(bench.promoted == ["t1"])
        let reason = bench.events.compactMap { if case .promoted("t1", 1, let reason) = $0 { reason } else { nil } }.first
        #expect(reason?.contains("no more trials can reach it") == true)
        for _ in 1...4 where !bench.s.isComplete {
            bench.step(w1)
            bench.step(w2)
        }
        #expect(bench.s.isComplete)
        #expect(bench.trained == ["t1": [1, 2, 3], "t2": [1]])
        #expect(bench.s.counts.done == 1 && bench.s.counts.stopped == 1)
    }

    /// The last trial to reach a closing rung, when it is the best there, simply goes on: no STOP.
    @Test func theLastArrivalAtAClosingRungGoesOnWhenItIsTheBest() {
        var bench = Bench(trials: 2, epochs: 3, losses: ["t1": [1.0, 0.9, 0.8], "t2": [0.5, 0.4, 0.3]],
                          rule: ASHARule(minEpochs: 1, maxEpochs: 3, reductionFactor: 3))
        bench.join(w1)
        bench.join(w2)
        bench.step(w1)
        bench.step(w2)
        #expect(bench.stopped == ["t1": 1])
        #expect(!bench.events.contains { if case .stop(_, "t2", _, _) = $0 { true } else { false } })
        for _ in 1...2 { bench.step(w2) }
        #expect(bench.s.state(of: "t2")?.phase == .finished(.done, attempt: 1))
        #expect(bench.promoted.isEmpty)
        #expect(bench.s.isComplete)
    }

    /// A rung decision that waited for its checkpoint when the coordinator stopped waits again:
    /// taken at once when the checkpoint was stored, else on the re-adopted attempt's checkpoint.
    @Test(arguments: [true, false])
    func aRestoredRungDecisionIsTaken(checkpointStored: Bool) {
        var restored: [String: Scheduler.RestoredTrial] = [:]
        var t1 = Scheduler.RestoredTrial(outcome: .stopped, winningAttempt: 1, attemptsStarted: 1)
        t1.valLosses = [1: 2.0]
        t1.stoppedEpoch = 1
        t1.decidedEpochs = [1]
        var t2 = Scheduler.RestoredTrial(attemptsStarted: 1, wasRunning: true,
                                         latestCheckpoint: checkpointStored ? StoredCheckpoint(epoch: 1, path: "b", sha256: "0") : nil,
                                         leases: [1: Lease(id: "lease-t2", worker: w2, workerName: "w2")])
        t2.valLosses = [1: 3.0]
        restored["t1"] = t1
        restored["t2"] = t2
        var s = Scheduler(trials: (1...3).map { ScheduledTrial(number: $0, id: "t\($0)") }, restored: restored, now: 0,
                          stopping: ASHARule(minEpochs: 1, maxEpochs: 3, reductionFactor: 3))
        var events = s.resumeEarlyStopping(now: 0)
        _ = s.hello(w2, name: "w2", host: "h", cores: 1, running: LeaseKey(trialID: "t2", attempt: 1, leaseID: "lease-t2"), now: 1)
        if checkpointStored {
            // t2 is second of two at rung 1 while t3 has yet to run: paused before its worker is back.
            #expect(events.contains(.decision(trialID: "t2", epoch: 1, stop: true, reason: "rung 1: rank 2 of 2, top 0 continue")))
            #expect(events.contains(.stopped(trialID: "t2", attempt: 1, epoch: 1, reason: "rung 1: rank 2 of 2, top 0 continue")))
            #expect(s.state(of: "t2")?.phase == .finished(.stopped, attempt: 1))
        } else {
            #expect(events.isEmpty)
            #expect(s.state(of: "t2")?.phase == .running(worker: w2, attempt: 1))
            _ = s.checkpointStored(trialID: "t2", attempt: 1, worker: w2, ref: StoredCheckpoint(epoch: 1, path: "b", sha256: "0"))
            events = s.checkpointReady(trialID: "t2", attempt: 1, epoch: 1, now: 2)
            #expect(events.contains(.stop(worker: w2, trialID: "t2", attempt: 1, code: .earlyStopped)))
            #expect(s.state(of: "t2")?.phase == .finished(.stopped, attempt: 1))
        }
    }

    @Test func aReportFromTheStoppedAttemptIsRefusedWithEarlyStopped() {
        var bench = Bench(trials: 2, epochs: 3, losses: ["t1": [1, 1, 1], "t2": [2, 2, 2]],
                          rule: ASHARule(minEpochs: 1, maxEpochs: 3, reductionFactor: 3))
        bench.join(w1)
        bench.join(w2)
        bench.step(w1)
        bench.step(w2)
        #expect(bench.stopped["t2"] == 1)
        let lease = LeaseKey(trialID: "t2", attempt: 1, leaseID: bench.s.state(of: "t2")?.leases[1]?.id ?? "")
        #expect(bench.s.judge(lease, from: w2, kind: .progress, now: 9).verdict == .rejected(.earlyStopped))
        #expect(bench.s.judge(lease, from: w2, kind: .result, now: 9).verdict == .rejected(.earlyStopped))
    }

    @Test func ashaDecidesOnlyOnceTheRungCheckpointIsStored() {
        var s = Scheduler(trials: [ScheduledTrial(number: 1, id: "t1"), ScheduledTrial(number: 2, id: "t2")], now: 0,
                          stopping: ASHARule(minEpochs: 1, maxEpochs: 3, reductionFactor: 3))
        _ = s.hello(w1, host: "h", cores: 1, running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        _ = s.hello(w2, host: "h", cores: 1, running: nil, now: 0)
        _ = s.ready(w2, now: 0)
        _ = s.epochReported(trialID: "t1", attempt: 1, epoch: 1, valLoss: 1, seconds: 1, now: 1)
        _ = s.checkpointStored(trialID: "t1", attempt: 1, worker: w1, ref: StoredCheckpoint(epoch: 1, path: "a", sha256: "0"))
        _ = s.checkpointReady(trialID: "t1", attempt: 1, epoch: 1, now: 1)
        // t2's PROGRESS alone decides nothing: no STOP before its checkpoint is stored.
        #expect(s.epochReported(trialID: "t2", attempt: 1, epoch: 1, valLoss: 2, seconds: 1, now: 2).isEmpty)
        #expect(s.state(of: "t2")?.phase == .running(worker: w2, attempt: 1))
        // Another epoch's checkpoint does not take the decision either.
        #expect(s.checkpointReady(trialID: "t2", attempt: 1, epoch: 2, now: 2).isEmpty)
        _ = s.checkpointStored(trialID: "t2", attempt: 1, worker: w2, ref: StoredCheckpoint(epoch: 1, path: "b", sha256: "0"))
        let events = s.checkpointReady(trialID: "t2", attempt: 1, epoch: 1, now: 3)
        #expect(events.contains(.stop(worker: w2, trialID: "t2", attempt: 1, code: .earlyStopped)))
        #expect(s.state(of: "t2")?.latestCheckpoint?.epoch == 1)
    }

    /// Seeded random interleavings of three workers over twelve trials: a ready worker always gets
    /// a queued trial, no epoch is trained twice, and every trial ends done or stopped.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func workersNeverWaitAndNoEpochIsTrainedTwice(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var losses: [String: [Double]] = [:]
        for trial in 1...12 { losses["t\(trial)"] = (1...9).map { 3.0 / Double($0) + Double.random(in: 0...2, using: &random) } }
        var bench = Bench(trials: 12, epochs: 9, losses: losses, rule: ASHARule(minEpochs: 1, maxEpochs: 9, reductionFactor: 3))
        let workers = [w1, w2, w3]
        for worker in workers { bench.join(worker) }
        var steps = 0
        while !bench.s.isComplete && steps < 10_000 {
            steps += 1
            let worker = workers[Int.random(in: 0..<workers.count, using: &random)]
            let hadQueued = bench.s.queuedTrialIDs.contains { bench.s.state(of: $0)?.phase == .queued }
            let idle = bench.busy[worker] == nil
            bench.step(worker)
            if idle && hadQueued {
                #expect(bench.busy[worker] != nil, "a ready worker was left idle while trials were queued")
            }
        }
        #expect(bench.s.isComplete)
        for (trial, epochs) in bench.trained {
            #expect(epochs == Array(1...(epochs.count)), "\(trial) trained \(epochs)")
        }
        #expect(bench.s.counts.done >= 1)
        #expect(bench.s.counts.done + bench.s.counts.stopped == 12)
        // Each trial that finished trained every epoch; each stopped one stopped at a rung.
        for (trial, epoch) in bench.stopped where bench.s.state(of: trial)?.phase != .finished(.done, attempt: 1) {
            #expect([1, 3].contains(epoch))
        }
    }

    @Test func medianRuleStopsTrialsWorseThanTheMedianAfterTheGrace() {
        var bench = Bench(trials: 4, epochs: 3, losses: [
            "t1": [1.0, 0.8, 0.7], "t2": [1.1, 0.9, 0.8], "t3": [1.2, 1.0, 0.9], "t4": [2.0, 1.9, 1.8],
        ], rule: MedianRule(graceEpochs: 1, minTrials: 2))
        for worker in [w1, w2, w3, w4] { bench.join(worker) }
        // Epoch 1 is the grace epoch: nobody is judged.
        for worker in [w1, w2, w3, w4] { bench.step(worker) }
        #expect(bench.events.allSatisfy { if case .decision = $0 { false } else { true } })
        // Epoch 2: t1 and t2 lack two others to compare with; t3 (1.0 > median 0.85) and t4 stop on PROGRESS.
        for worker in [w1, w2, w3, w4] { bench.step(worker) }
        #expect(bench.stopped == ["t3": 2, "t4": 2])
        #expect(bench.events.contains(.stop(worker: w3, trialID: "t3", attempt: 1, code: .earlyStopped)))
        for worker in [w1, w2] { bench.step(worker) }
        #expect(bench.promoted.isEmpty)
        #expect(bench.s.isComplete)
        #expect(bench.s.counts.done == 2 && bench.s.counts.stopped == 2)
    }

    @Test func aSpentBudgetStopsEverythingAndAssignsNothing() {
        var bench = Bench(trials: 3, epochs: 5, losses: ["t1": [1, 1, 1, 1, 1], "t2": [1, 1, 1, 1, 1], "t3": [1, 1, 1, 1, 1]],
                          rule: nil, budget: .trialEpochs(3))
        bench.join(w1)
        bench.join(w2)
        bench.step(w1)
        bench.step(w2)
        #expect(bench.s.budgetSpent == false)
        bench.step(w1)
        #expect(bench.s.budgetSpent)
        #expect(bench.events.contains { if case .budgetSpent = $0 { true } else { false } })
        #expect(bench.stopped == ["t1": 2, "t2": 1, "t3": 0])
        #expect(bench.events.contains(.stopped(trialID: "t3", attempt: 0, epoch: 0, reason: "budget of 3 trial-epochs spent")))
        #expect(bench.s.isComplete)
        #expect(bench.s.ready(w1, now: 99).isEmpty)
    }

    @Test func aRestartedSchedulerKnowsTheRungsAndTheBudget() {
        var restored: [String: Scheduler.RestoredTrial] = [:]
        var t1 = Scheduler.RestoredTrial(outcome: .done, winningAttempt: 1, attemptsStarted: 1)
        t1.valLosses = [1: 1.0, 2: 0.9, 3: 0.8]
        var t2 = Scheduler.RestoredTrial(outcome: .stopped, winningAttempt: 1, attemptsStarted: 1)
        t2.valLosses = [1: 2.0]
        t2.stoppedEpoch = 1
        restored["t1"] = t1
        restored["t2"] = t2
        var s = Scheduler(trials: (1...3).map { ScheduledTrial(number: $0, id: "t\($0)") }, restored: restored, now: 0,
                          stopping: ASHARule(minEpochs: 1, maxEpochs: 3, reductionFactor: 2), budget: .trialEpochs(100))
        #expect(s.spentEpochs == 4)
        #expect(s.state(of: "t2")?.phase == .finished(.stopped, attempt: 1))
        _ = s.hello(w1, host: "h", cores: 1, running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        // t3 reaches rung 1 first of three (top 1 continue): it goes on, and t1's record and
        // t2's stop count at the rung.
        _ = s.epochReported(trialID: "t3", attempt: 1, epoch: 1, valLoss: 0.5, seconds: 1, now: 1)
        _ = s.checkpointStored(trialID: "t3", attempt: 1, worker: w1, ref: StoredCheckpoint(epoch: 1, path: "c", sha256: "0"))
        let events = s.checkpointReady(trialID: "t3", attempt: 1, epoch: 1, now: 1)
        #expect(events.contains(.decision(trialID: "t3", epoch: 1, stop: false, reason: "rung 1: rank 1 of 3, top 1 continue")))
        #expect(s.state(of: "t2")?.phase == .finished(.stopped, attempt: 1))
    }

    /// A restarted coordinator re-checks promotions before anything else: here every trial
    /// looks finished, but rung 1 is closed and its best stopped trial goes on.
    @Test func aRestartPromotesWhatAClosedRungLetsGoOn() {
        var restored: [String: Scheduler.RestoredTrial] = [:]
        for (id, loss) in [("t1", 1.0), ("t2", 2.0)] {
            var trial = Scheduler.RestoredTrial(outcome: .stopped, winningAttempt: 1, attemptsStarted: 1,
                                                latestCheckpoint: StoredCheckpoint(epoch: 1, path: id, sha256: "0"))
            trial.valLosses = [1: loss]
            trial.stoppedEpoch = 1
            trial.decidedEpochs = [1]
            restored[id] = trial
        }
        var s = Scheduler(trials: (1...2).map { ScheduledTrial(number: $0, id: "t\($0)") }, restored: restored, now: 0,
                          stopping: ASHARule(minEpochs: 1, maxEpochs: 3, reductionFactor: 3))
        #expect(s.isComplete)
        let events = s.resumeEarlyStopping(now: 0)
        #expect(events.contains { if case .promoted("t1", 1, _) = $0 { true } else { false } })
        #expect(!s.isComplete)
        _ = s.hello(w1, host: "h", cores: 1, running: nil, now: 1)
        let assigned = s.ready(w1, now: 1).compactMap { if case .assign(let a) = $0 { a } else { nil } }
        #expect(assigned.map(\.trialID) == ["t1"])
        #expect(assigned.first?.attempt == 2 && assigned.first?.resumeFrom?.epoch == 1)
    }
}
