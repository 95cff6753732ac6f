import SweepTestSupport
import Testing
@testable import SweepCoordinator

/// What a simulated sweep did: the work the scheduler reported and what it decided.
private struct Simulation {
    var scheduler: Scheduler
    var decisions = 0
    /// Trial ids in the order they were first assigned, and every requeue followed by the next assignment.
    var firstAssigned: [String] = []
    var requeuedThenAssigned: [(requeued: String, next: String)] = []
}

/// Runs a sweep of `n` trials on two workers through the real state machine: every 7th attempt
/// fails (infra) and is retried, the rest finish; `tick` runs between steps as the coordinator's
/// heartbeat does.
private func simulate(trials n: Int) -> Simulation {
    let trials = (1...n).map { ScheduledTrial(number: $0, id: "t\($0)", maxAttempts: 3) }
    var sim = Simulation(scheduler: Scheduler(trials: trials, policy: SchedulerPolicy(), now: 0))
    let workers = [WorkerID("a"), WorkerID("b")]
    var holding: [WorkerID: Assignment] = [:]
    var seen: Set<String> = []
    var pendingRequeue: String?
    func take(_ events: [SchedulerEvent]) {
        for case .assign(let a) in events {
            sim.decisions += 1
            holding[a.worker] = a
            if seen.insert(a.trialID).inserted { sim.firstAssigned.append(a.trialID) }
            if let requeued = pendingRequeue {
                sim.requeuedThenAssigned.append((requeued, a.trialID))
                pendingRequeue = nil
            }
        }
    }
    for worker in workers {
        _ = sim.scheduler.hello(worker, host: "h", cores: 1, running: nil, now: 0)
        take(sim.scheduler.ready(worker, now: 0))
    }
    var now = 0.0
    var attempts = 0
    while !sim.scheduler.isComplete && now < Double(20 * n) {
        now += 0.5
        for worker in workers {
            guard let a = holding.removeValue(forKey: worker) else { continue }
            attempts += 1
            sim.decisions += 1
            let key = LeaseKey(trialID: a.trialID, attempt: a.attempt, leaseID: a.leaseID)
            if attempts % 7 == 0 {
                let events = sim.scheduler.infraFailure(from: worker, trialID: a.trialID, attempt: a.attempt, reason: "test", now: now)
                if events.contains(where: { if case .requeued = $0 { true } else { false } }) { pendingRequeue = a.trialID }
                take(events)
            } else {
                #expect(sim.scheduler.judge(key, from: worker, kind: .result, now: now).verdict == .holder)
                take(sim.scheduler.resultCommitted(trialID: a.trialID, attempt: a.attempt, outcome: .done, from: worker, now: now))
            }
            take(sim.scheduler.ready(worker, now: now))
        }
        take(sim.scheduler.tick(now: now))
    }
    return sim
}

@Suite struct SchedulerScaleTests {
    @Test func aTwoThousandTrialSweepCostsTheSameSchedulerWorkPerDecisionAsATwentyTrialOne() {
        let small = simulate(trials: 20)
        let large = simulate(trials: 2000)
        for sim in [small, large] {
            let n = sim.scheduler.counts.total
            #expect(sim.scheduler.isComplete)
            #expect(sim.scheduler.counts.done == n)
            #expect(sim.scheduler.counts.queued == 0 && sim.scheduler.counts.running == 0)
            // Schedule order, and a requeued trial goes to the next free worker.
            #expect(sim.firstAssigned == (1...n).map { "t\($0)" })
            #expect(!sim.requeuedThenAssigned.isEmpty)
            #expect(sim.requeuedThenAssigned.allSatisfy { $0.requeued == $0.next })
        }
        // Trial states examined per decision (assignments and results): a small constant, not a
        // share of the sweep. A scan of the queue or of every lease per decision would make it
        // ~1,000 at 2,000 trials.
        let perDecisionSmall = Double(small.scheduler.trialsExamined) / Double(small.decisions)
        let perDecisionLarge = Double(large.scheduler.trialsExamined) / Double(large.decisions)
        #expect(perDecisionLarge <= 4, "\(perDecisionLarge) trial states examined per decision at 2,000 trials")
        #expect(perDecisionLarge <= perDecisionSmall * 1.5 + 0.5,
                "per decision: \(perDecisionSmall) at 20 trials, \(perDecisionLarge) at 2,000")
    }

    @Test func theQueueKeepsTheOrderOfAPlainArrayUnderRandomPushesAndRemovals() {
        var generator = SplitMix64(seed: 16)
        var queue = TrialQueue()
        var model: [String] = []
        for step in 0..<20_000 {
            let id = "t\(Int.random(in: 0..<300, using: &generator))"
            switch Int.random(in: 0..<10, using: &generator) {
            case 0...3:
                queue.pushBack(id)
                model.removeAll { $0 == id }
                model.append(id)
            case 4...5:
                queue.pushFront(id)
                model.removeAll { $0 == id }
                model.insert(id, at: 0)
            case 6...7:
                queue.remove(id)
                model.removeAll { $0 == id }
            default:
                // Some ids are refused, as orphans waiting for their worker are.
                let refused = Set(model.prefix(3).filter { _ in Bool.random(using: &generator) })
                #expect(queue.first(where: { !refused.contains($0) }) == model.first { !refused.contains($0) }, "step \(step)")
            }
            #expect(queue.count == model.count && queue.contains(id) == model.contains(id), "step \(step)")
            if step % 97 == 0 { #expect(queue.ids == model, "step \(step)") }
        }
        #expect(queue.ids == model)
    }

    @Test func countsFollowEveryPhaseChangeWithoutACountingScan() {
        let trials = (1...5).map { ScheduledTrial(number: $0, id: "t\($0)", maxAttempts: 1) }
        let restored: [String: Scheduler.RestoredTrial] = [
            "t1": .init(outcome: .done, winningAttempt: 1, attemptsStarted: 1),
            "t2": .init(attemptsStarted: 1, wasRunning: true),
        ]
        var s = Scheduler(trials: trials, restored: restored, policy: SchedulerPolicy(adoptionWindow: 10), now: 0)
        #expect(s.counts == SchedulerCounts(queued: 4, running: 0, done: 1))
        let w = WorkerID("w")
        _ = s.hello(w, host: "h", cores: 1, running: nil, now: 0)
        // The orphan t2 waits for its worker: t3 goes first.
        let first = s.ready(w, now: 0)
        #expect(first.contains { if case .assign(let a) = $0 { a.trialID == "t3" } else { false } })
        #expect(s.counts == SchedulerCounts(queued: 3, running: 1, done: 1))
        _ = s.infraFailure(from: w, trialID: "t3", attempt: 1, reason: "gone", now: 1)
        #expect(s.counts == SchedulerCounts(queued: 3, running: 0, done: 1, failed: 1))
        // The adoption window closes: the orphan is queued and handed out like any other.
        let second = s.ready(w, now: 2)
        #expect(second.contains { if case .assign(let a) = $0 { a.trialID == "t4" } else { false } })
        _ = s.tick(now: 11)
        #expect(s.state(of: "t2")?.phase == .queued)
        #expect(s.counts == SchedulerCounts(queued: 2, running: 1, done: 1, failed: 1))
        _ = s.heard(from: w, now: 12)
        _ = s.resultCommitted(trialID: "t4", attempt: 1, outcome: .diverged, from: w, now: 12)
        let third = s.ready(w, now: 12)
        #expect(third.contains { if case .assign(let a) = $0 { a.trialID == "t2" } else { false } })
        #expect(s.counts == SchedulerCounts(queued: 1, running: 1, done: 1, diverged: 1, failed: 1))
        #expect(!s.isComplete)
    }
}
