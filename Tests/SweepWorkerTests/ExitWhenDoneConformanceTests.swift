import Foundation
import SweepProtocol
import SweepWorker
import Testing

/// BYE's code decides whether a worker leaves (SPEC.md §3.3): one started for one sweep
/// (`--exit-when-done`) exits 0 on `sweep_complete` only; a daemon greets the next run instead.
@Suite(.serialized) struct ExitWhenDoneConformanceTests {
    typealias Fake = WorkerConformanceTests.FakeCoordinator

    static func isHello(_ message: Message) -> Bool { if case .hello = message { true } else { false } }

    @Test func aOneSweepWorkerWaitsThroughShuttingDownAndExitsOnSweepComplete() throws {
        let fake = try Fake()
        let fixture = try SweepFixture(epochs: 1)
        var options = fixture.workerOptions("once", endpoint: fake.endpoint)
        options.exitOnBye = false
        options.exitWhenDone = true
        let worker = WorkerConformanceTests.startWorker(try WorkerService(options: options, trainer: InstantTrainer(sendsCheckpoints: false),
                                                                          logger: WorkerConformanceTests.quietLogger))
        #expect(fake.next(Self.isHello) != nil)
        try fake.send(.welcome(Welcome(coordinatorId: "fake", heartbeatInterval: 1)))
        // The coordinator stops (it will resume the run): the worker stays and greets it again.
        try fake.send(.bye(Bye(code: .shuttingDown)))
        #expect(fake.next(seconds: 20, Self.isHello) != nil, "no HELLO after BYE shutting_down")
        #expect(worker.wait(seconds: 0) == nil)
        try fake.send(.welcome(Welcome(coordinatorId: "fake", heartbeatInterval: 1)))
        try fake.send(.bye(Bye(code: .sweepComplete, reason: "text that is never interpreted")))
        #expect(worker.wait(seconds: 10) == .done)
    }

    @Test func aDaemonGreetsTheNextRunAfterSweepComplete() throws {
        let fake = try Fake()
        let fixture = try SweepFixture(epochs: 1)
        var options = fixture.workerOptions("daemon", endpoint: fake.endpoint)
        options.exitOnBye = false
        let service = try WorkerService(options: options, trainer: InstantTrainer(sendsCheckpoints: false),
                                        logger: WorkerConformanceTests.quietLogger)
        let worker = WorkerConformanceTests.startWorker(service)
        #expect(fake.next(Self.isHello) != nil)
        try fake.send(.welcome(Welcome(coordinatorId: "fake", heartbeatInterval: 1)))
        try fake.send(.bye(Bye(code: .sweepComplete)))
        #expect(fake.next(seconds: 20, Self.isHello) != nil, "no HELLO after BYE sweep_complete")
        #expect(worker.wait(seconds: 0) == nil)
        service.halt()
        #expect(worker.wait(seconds: 10) != nil)
    }

    /// The sweep ended before this worker got a word in (another worker took the last trial), or
    /// its coordinator is gone: a one-sweep worker gives up after `giveUpAfter`; a daemon waits on.
    @Test func aOneSweepWorkerThatHearsNothingGivesUpAndADaemonWaits() throws {
        let fake = try Fake()   // bound, but it never answers
        let fixture = try SweepFixture(epochs: 1)
        var once = fixture.workerOptions("silent-once", endpoint: fake.endpoint)
        once.exitOnBye = false
        once.exitWhenDone = true
        once.giveUpAfter = 1.5
        var daemon = fixture.workerOptions("silent-daemon", endpoint: fake.endpoint)
        daemon.exitOnBye = false
        daemon.giveUpAfter = 1.5   // ignored without exitWhenDone
        let daemonService = try WorkerService(options: daemon, trainer: InstantTrainer(sendsCheckpoints: false),
                                              logger: WorkerConformanceTests.quietLogger)
        let oneSweep = WorkerConformanceTests.startWorker(try WorkerService(options: once, trainer: InstantTrainer(sendsCheckpoints: false),
                                                                            logger: WorkerConformanceTests.quietLogger))
        let waiting = WorkerConformanceTests.startWorker(daemonService)
        #expect(oneSweep.wait(seconds: 30) == .coordinatorGone)
        #expect(waiting.wait(seconds: 0) == nil, "a daemon gave up")
        daemonService.halt()
        #expect(waiting.wait(seconds: 10) != nil)
    }
}
