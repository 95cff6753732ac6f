import SweepTestSupport
import Testing
@testable import SweepCoordinator

/// Elastic cores in the scheduler: idle workers' cores lent to the running trials of their host
/// and taken back, borrower first, when work appears (CoreAllocator).
private func elasticScheduler(_ n: Int, threads: Int = 1, elastic: Bool = true) -> Scheduler {
    let trials = (1...n).map { ScheduledTrial(number: $0, id: "t\($0)", maxAttempts: 5, epochs: 4, estimatedCost: 1e9, threads: threads) }
    var policy = SchedulerPolicy(heartbeatInterval: 1, suspectAfterMissedBeats: 3, lostAfter: 30,
                                 quarantineAfterInfraFailures: 100, adoptionWindow: 0)
    policy.elasticCores = elastic
    return Scheduler(trials: trials, policy: policy, now: 0)
}

private func assigned(_ events: [SchedulerEvent]) -> [Assignment] {
    events.compactMap { if case .assign(let a) = $0 { a } else { nil } }
}

private func threadCommands(_ events: [SchedulerEvent]) -> [CoreCommand] {
    events.compactMap { if case .threads(let c) = $0 { c } else { nil } }
}

/// The worker's result is committed and it says READY.
private func finish(_ s: inout Scheduler, _ worker: WorkerID, _ trialID: String, now: Double) -> [SchedulerEvent] {
    guard case .running(worker, let attempt)? = s.state(of: trialID)?.phase else { return [] }
    return s.resultCommitted(trialID: trialID, attempt: attempt, outcome: .done, from: worker, now: now)
        + s.ready(worker, now: now)
}

private let w1 = WorkerID("w1")
private let w2 = WorkerID("w2")
private let w3 = WorkerID("w3")

@Suite struct ElasticCoresSchedulerTests {
    @Test func threeEqualTrialsOnTwoCoresTheLastGetsBothCores() {
        var s = elasticScheduler(3)
        _ = s.hello(w1, name: "p1", host: "h", cores: 1, cpus: [0], running: nil, now: 0)
        _ = s.hello(w2, name: "p2", host: "h", cores: 1, cpus: [1], running: nil, now: 0)
        #expect(assigned(s.ready(w1, now: 0)).map(\.trialID) == ["t1"])
        #expect(assigned(s.ready(w2, now: 0)).map(\.trialID) == ["t2"])
        // t1 ends: w1 takes t3; nobody is idle, nothing is lent.
        var events = finish(&s, w1, "t1", now: 10)
        #expect(assigned(events).map(\.trialID) == ["t3"])
        #expect(threadCommands(events).isEmpty)
        #expect(s.threads(of: "t3") == 1)
        // t2 ends: no work is left, so w2's core goes to t3, pinned to both cpus.
        events = finish(&s, w2, "t2", now: 20)
        #expect(assigned(events).isEmpty)
        #expect(threadCommands(events) == [CoreCommand(worker: w1, trialID: "t3", attempt: 1, threads: 2, cpus: [0, 1], previous: 1)])
        #expect(s.threads(of: "t3") == 2)
        #expect(s.coreUse(host: "h") == (threads: 2, cores: 2))
        // The worker confirms; nothing more to do. t3 ends and frees w2's core.
        #expect(s.threadsReported(trialID: "t3", attempt: 1, threads: 2, now: 21).isEmpty)
        _ = finish(&s, w1, "t3", now: 30)
        #expect(s.isComplete)
        #expect(s.coreUse(host: "h").threads == 0)
    }

    @Test func withoutElasticCoresTheTailTrialKeepsOneThread() {
        var s = elasticScheduler(3, elastic: false)
        _ = s.hello(w1, name: "p1", host: "h", cores: 1, cpus: [0], running: nil, now: 0)
        _ = s.hello(w2, name: "p2", host: "h", cores: 1, cpus: [1], running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        _ = s.ready(w2, now: 0)
        _ = finish(&s, w1, "t1", now: 10)
        #expect(threadCommands(finish(&s, w2, "t2", now: 20)).isEmpty)
        #expect(s.threads(of: "t3") == 1)
    }

    @Test func coresComeBackWhenWorkAppearsBorrowerShrinksBeforeTheLenderIsAssigned() {
        var s = elasticScheduler(3)
        _ = s.hello(w1, name: "p1", host: "a", cores: 1, cpus: [0], running: nil, now: 0)
        _ = s.hello(w2, name: "p2", host: "a", cores: 1, cpus: [1], running: nil, now: 0)
        _ = s.hello(w3, name: "p3", host: "b", cores: 1, cpus: [0], running: nil, now: 0)
        _ = s.ready(w1, now: 0)   // t1
        _ = s.ready(w3, now: 0)   // t2 on host b
        _ = s.ready(w2, now: 0)   // t3
        _ = finish(&s, w2, "t3", now: 5)
        #expect(s.threads(of: "t1") == 2)
        _ = s.threadsReported(trialID: "t1", attempt: 1, threads: 2, now: 6)
        // Host b's worker dies: t2 waits again. w2 is idle but lent: t1 is asked to shrink first.
        var events = s.exited(w3, reason: "killed", now: 7)
        #expect(assigned(events).isEmpty)
        #expect(threadCommands(events) == [CoreCommand(worker: w1, trialID: "t1", attempt: 1, threads: 1, cpus: [0], previous: 2)])
        #expect(s.coreUse(host: "a") == (threads: 2, cores: 2))
        // A report sent before the shrink was applied changes nothing; READY from the lender neither.
        #expect(s.threadsReported(trialID: "t1", attempt: 1, threads: 2, now: 8).isEmpty)
        #expect(assigned(s.ready(w2, now: 8)).isEmpty)
        // The borrower confirms: only now does the lender get t2.
        events = s.threadsReported(trialID: "t1", attempt: 1, threads: 1, now: 9)
        #expect(assigned(events).map(\.trialID) == ["t2"])
        #expect(assigned(events).first?.worker == w2)
        #expect(s.coreUse(host: "a") == (threads: 2, cores: 2))
    }

    @Test func sparesAreSpreadEvenlyLargerRemainingWorkFirst() {
        // Four one-core workers, two trials: the two idle cores go one to each.
        var s = elasticScheduler(2)
        let workers = (1...4).map { WorkerID("w\($0)") }
        for (i, w) in workers.enumerated() { _ = s.hello(w, name: "p\(i)", host: "h", cores: 1, cpus: [i], running: nil, now: 0) }
        _ = s.ready(workers[0], now: 0)
        _ = s.ready(workers[1], now: 0)
        _ = s.epochReported(trialID: "t1", attempt: 1, epoch: 3, valLoss: 1, seconds: 1, now: 1)
        var events = s.ready(workers[2], now: 2)
        // One spare core: t2 has more work left (0 of 4 epochs done against 3 of 4).
        #expect(threadCommands(events).map(\.trialID) == ["t2"])
        _ = s.threadsReported(trialID: "t2", attempt: 1, threads: 2, now: 3)
        events = s.ready(workers[3], now: 4)
        // Spread evenly: the second spare goes to t1.
        #expect(threadCommands(events).map(\.trialID) == ["t1"])
        #expect(s.threads(of: "t1") == 2 && s.threads(of: "t2") == 2)
        #expect(s.coreUse(host: "h") == (threads: 4, cores: 4))
    }

    @Test func aMultiCoreWorkerGrowsItsOwnTrialIntoItsSpareCores() {
        var s = elasticScheduler(1, threads: 1)
        _ = s.hello(w1, name: "p1", host: "h", cores: 4, cpus: [4, 5, 6, 7], running: nil, now: 0)
        let events = s.ready(w1, now: 0)
        #expect(assigned(events).map(\.trialID) == ["t1"])
        #expect(threadCommands(events) == [CoreCommand(worker: w1, trialID: "t1", attempt: 1, threads: 4, cpus: [4, 5, 6, 7], previous: 1)])
    }

    @Test func anAbsurdCoreCountIsBoundedAndNoTrialGetsMoreThanTheMostThreads() {
        var s = elasticScheduler(1)
        _ = s.hello(w1, name: "p1", host: "h", cores: 2_147_483_647, running: nil, now: 0)
        let events = s.ready(w1, now: 0)
        #expect(threadCommands(events).map(\.threads) == [256])
        #expect(s.threads(of: "t1") == 256)
        #expect(s.coreUse(host: "h") == (threads: 256, cores: 1024))
    }

    @Test func aTrialStartsWithItsOwnThreadsClampedToItsWorkersCores() {
        var s = elasticScheduler(2, threads: 3)
        _ = s.hello(w1, name: "p1", host: "a", cores: 2, cpus: [0, 1], running: nil, now: 0)
        _ = s.hello(w2, name: "p2", host: "b", cores: 4, cpus: [0, 1, 2, 3], running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        _ = s.ready(w2, now: 0)
        #expect(s.threads(of: "t1") == 2)
        #expect(s.threads(of: "t2") == 4)   // 3, then its worker's spare core
    }

    @Test func aLenderThatLeavesIsTakenBackAndItsCoresStayCountedUntilConfirmed() {
        var s = elasticScheduler(1)
        _ = s.hello(w1, name: "p1", host: "h", cores: 1, cpus: [0], running: nil, now: 0)
        _ = s.hello(w2, name: "p2", host: "h", cores: 1, cpus: [1], running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        _ = s.ready(w2, now: 0)
        _ = s.threadsReported(trialID: "t1", attempt: 1, threads: 2, now: 1)
        let events = s.bye(w2, now: 2)
        #expect(threadCommands(events) == [CoreCommand(worker: w1, trialID: "t1", attempt: 1, threads: 1, cpus: [0], previous: 2)])
        #expect(s.coreUse(host: "h") == (threads: 2, cores: 2))
        _ = s.threadsReported(trialID: "t1", attempt: 1, threads: 1, now: 3)
        #expect(s.coreUse(host: "h") == (threads: 1, cores: 1))
    }

    @Test func aLenderRestartedOnTheSameCPUWaitsUntilTheBorrowerGaveItsCoreBack() {
        var s = elasticScheduler(3)
        _ = s.hello(w1, name: "p1", host: "a", cores: 1, cpus: [0], running: nil, now: 0)
        _ = s.hello(w2, name: "p2", host: "a", cores: 1, cpus: [1], running: nil, now: 0)
        _ = s.hello(w3, name: "p3", host: "b", cores: 1, cpus: [0], running: nil, now: 0)
        _ = s.ready(w1, now: 0)   // t1
        _ = s.ready(w3, now: 0)   // t2 on host b
        _ = s.ready(w2, now: 0)   // t3
        _ = finish(&s, w2, "t3", now: 5)
        _ = s.threadsReported(trialID: "t1", attempt: 1, threads: 2, now: 6)
        // The lender is killed (t1 is asked to give cpu 1 back), then host b's worker: t2 waits.
        _ = s.exited(w2, reason: "killed", now: 7)
        _ = s.exited(w3, reason: "killed", now: 7)
        // The lender's replacement greets under a new identity on the same cpu: no work for it
        // while t1 may still run a thread there.
        let w4 = WorkerID("w4")
        _ = s.hello(w4, name: "p2-again", host: "a", cores: 1, cpus: [1], running: nil, now: 8)
        #expect(assigned(s.ready(w4, now: 8)).isEmpty)
        // The borrower confirms: now the replacement gets t2.
        let events = s.threadsReported(trialID: "t1", attempt: 1, threads: 1, now: 9)
        #expect(assigned(events).map(\.trialID) == ["t2"])
        #expect(assigned(events).first?.worker == w4)
        #expect(s.coreUse(host: "a") == (threads: 2, cores: 2))
    }

    @Test func aReconnectingBorrowerKeepsItsCoresAndAReadoptionOfAnUnknownGrowthIsReset() {
        var s = elasticScheduler(1)
        _ = s.hello(w1, name: "p1", host: "h", cores: 1, cpus: [0], running: nil, now: 0)
        _ = s.hello(w2, name: "p2", host: "h", cores: 1, cpus: [1], running: nil, now: 0)
        _ = s.ready(w1, now: 0)
        _ = s.ready(w2, now: 0)
        _ = s.threadsReported(trialID: "t1", attempt: 1, threads: 2, now: 1)
        // p1 reconnects under a new identity and re-adopts t1: its grown grant moves with it.
        let lease = LeaseKey(trialID: "t1", attempt: 1, leaseID: s.state(of: "t1")?.leases[1]?.id ?? "")
        _ = s.forget(w1, now: 2)
        let w1b = WorkerID("w1b")
        let events = s.hello(w1b, name: "p1", host: "h", cores: 1, cpus: [0], running: lease, now: 2)
        #expect(threadCommands(events).isEmpty)
        #expect(s.threads(of: "t1") == 2)
        #expect(s.coreUse(host: "h") == (threads: 2, cores: 2))

        // A coordinator that never granted the growth re-adopts at the trial's own threads and says so.
        var fresh = Scheduler(trials: [ScheduledTrial(number: 1, id: "t1", epochs: 4)],
                              restored: ["t1": .init(attemptsStarted: 1, wasRunning: true,
                                                     leases: [1: Lease(id: lease.leaseID, worker: w1, workerName: "p1")])],
                              policy: SchedulerPolicy(adoptionWindow: 30), now: 0)
        let adopted = fresh.hello(w1b, name: "p1", host: "h", cores: 1, cpus: [0], running: lease, now: 1)
        #expect(threadCommands(adopted) == [CoreCommand(worker: w1b, trialID: "t1", attempt: 1, threads: 1, cpus: [0], previous: 1)])
    }

    /// Random interleavings of assignments, THREADS deliveries, batch boundaries, reports, results,
    /// infra failures (work that appears again) and workers joining: a host never runs more
    /// threads than its workers' cores, every trial finishes, and cores are lent on the way.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as [UInt64])
    func neverMoreThreadsThanCoresOnAHost(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var s = elasticScheduler(12)
        struct SimWorker {
            let id: WorkerID
            let host: String
            let cores: Int
            var trial: (id: String, attempt: Int)?
            var threads = 0
            var inbox: [SchedulerEvent] = []
            var pending: Int?
        }
        var workers: [SimWorker] = []
        var cpuCount: [String: Int] = [:]
        var maxGrown = 0
        func join(_ host: String, cores: Int) {
            let index = workers.count
            let first = cpuCount[host, default: 0]
            cpuCount[host] = first + cores
            let w = SimWorker(id: WorkerID("w\(index)"), host: host, cores: cores)
            workers.append(w)
            route(s.hello(w.id, name: "p\(index)", host: host, cores: cores, cpus: Array(first..<(first + cores)), running: nil, now: 0))
            route(s.ready(w.id, now: 0))
        }
        func route(_ events: [SchedulerEvent]) {
            for event in events {
                switch event {
                case .assign(let a): if let i = workers.firstIndex(where: { $0.id == a.worker }) { workers[i].inbox.append(event) }
                case .threads(let c):
                    maxGrown = max(maxGrown, c.threads)
                    if let i = workers.firstIndex(where: { $0.id == c.worker }) { workers[i].inbox.append(event) }
                default: break
                }
            }
        }
        func check(_ step: Int) {
            for host in Set(workers.map(\.host)) {
                let used = workers.filter { $0.host == host }.reduce(0) { $0 + $1.threads }
                let cores = workers.filter { $0.host == host }.reduce(0) { $0 + $1.cores }
                #expect(used <= cores, "seed \(seed) step \(step): host \(host) runs \(used) threads on \(cores) cores")
            }
        }
        join("a", cores: 1)
        join("a", cores: 1)
        join("a", cores: 2)
        join("b", cores: 1)
        var now = 1.0
        for step in 0..<4000 where !s.isComplete {
            now += 0.01
            if step == 300 { join("b", cores: 2) }
            let i = Int(random.next() % UInt64(workers.count))
            var w = workers[i]
            switch random.next() % 6 {
            case 0, 1:
                // The worker reads its next message.
                guard !w.inbox.isEmpty else { break }
                switch w.inbox.removeFirst() {
                case .assign(let a):
                    w.trial = (a.trialID, a.attempt)
                    w.threads = min(1, w.cores)
                    w.pending = nil
                case .threads(let c) where w.trial?.id == c.trialID && w.trial?.attempt == c.attempt:
                    w.pending = c.threads
                default: break
                }
            case 2:
                // A batch boundary: a pending change is applied, then reported.
                guard let trial = w.trial else { break }
                if let p = w.pending { w.threads = p; w.pending = nil }
                workers[i] = w
                route(s.threadsReported(trialID: trial.id, attempt: trial.attempt, threads: w.threads, now: now))
                w = workers[i]
            case 3:
                guard let trial = w.trial, random.next() % 4 == 0 else { break }
                // The trial ends: its threads stop before the result goes out.
                w.trial = nil
                w.threads = 0
                workers[i] = w
                if random.next() % 5 == 0 {
                    route(s.infraFailure(from: w.id, trialID: trial.id, attempt: trial.attempt, reason: "x", now: now))
                } else {
                    route(s.resultCommitted(trialID: trial.id, attempt: trial.attempt, outcome: .done, from: w.id, now: now))
                }
                route(s.ready(w.id, now: now))
                w = workers[i]
            default:
                for j in workers.indices { route(s.heard(from: workers[j].id, now: now)) }
            }
            workers[i] = w
            check(step)
        }
        #expect(s.isComplete, "seed \(seed): \(s.counts)")
        #expect(maxGrown >= 2, "seed \(seed): no trial was ever given a lent core")
    }
}
