import Foundation
import Logging
import SweepCoordinator
import SweepProtocol
import SweepStore
import SweepTestSupport
import SweepWorker
import SystemSupport

/// A coordinator service and worker services in one thread over the in-memory network, on a fake
/// clock: a test turns the loops by hand and moves time itself, so nothing waits on real timers.
/// Only the trainers run on threads of their own.
final class InMemoryRig {
    let fixture: SweepFixture
    let clock = FakeClock()
    let network: InMemoryNetwork
    let setup: RunSetup
    let coordinator: CoordinatorService
    private(set) var workers: [String: WorkerService] = [:]
    private(set) var connectors: [String: InMemoryDealerConnector] = [:]
    private(set) var exits: [String: WorkerExit] = [:]
    /// Workers the loop no longer turns (frozen by the test).
    var frozen: Set<String> = []
    /// Whether the coordinator's loop has ended (the sweep is complete).
    private(set) var coordinatorEnded = false

    /// `authenticatesPeers`: the coordinator binds worker ids to the keys the network reports (CURVE).
    init(fixture: SweepFixture, faults: FaultPlan = .none, authenticatesPeers: Bool = false) async throws {
        self.fixture = fixture
        network = InMemoryNetwork(faults: faults)
        setup = try await RunSetup.prepare(fixture.options)
        coordinator = try CoordinatorService(setup: setup, options: fixture.options, logger: Self.quietLogger("coordinator"),
                                             progress: ProgressView(output: .nullDevice, isTerminal: false),
                                             shutdown: ShutdownSignal(signals: []), clock: clock)
        coordinator.attach(InMemoryRouterTransport(network: network), endpoint: "inproc://coordinator",
                           authenticatesPeers: authenticatesPeers)
        coordinator.start()
    }

    /// Adds a worker service speaking over the network (its loop turns with `turn()`).
    @discardableResult
    func addWorker(_ name: String, trainer: TrialTrainer, key: String? = nil,
                   configure: (inout WorkerOptions) -> Void = { _ in }) throws -> WorkerService {
        var options = fixture.workerOptions(name)
        configure(&options)
        let connector = InMemoryDealerConnector(network: network, key: key)
        let worker = try WorkerService(options: options, trainer: trainer, logger: Self.quietLogger(name),
                                       connector: connector, clock: clock)
        workers[name] = worker
        connectors[name] = connector
        return worker
    }

    /// One turn of every loop: the workers', then the coordinator's. `wait` bounds how long a
    /// worker waits for its trainer (real time, only until something is ready).
    func turn(wait: Double = 0) throws {
        for (name, worker) in workers.sorted(by: { $0.key < $1.key }) where exits[name] == nil && !frozen.contains(name) {
            if let exit = worker.step(waitingUpTo: wait) { exits[name] = exit }
        }
        if !coordinatorEnded {
            if try !coordinator.step(waitingUpTo: 0) { coordinatorEnded = true }
            // The turn's writes commit off the loop; the rig's turn ends once they have.
            coordinator.settleStoreWriter()
        }
    }

    /// Turns the loops until `condition` holds; false if it did not within `turns` turns. Time
    /// does not move: trainers finish in real time, so each turn lets the workers wait a moment.
    @discardableResult
    func turn(until condition: () throws -> Bool, turns: Int = 2000) throws -> Bool {
        for _ in 0..<turns {
            if try condition() { return true }
            try turn(wait: 0.002)
        }
        return try condition()
    }

    /// Moves the fake clock, then turns every loop once.
    func advance(by seconds: Double) throws {
        clock.advance(by: seconds)
        try turn()
    }

    func exit(of name: String) -> WorkerExit? { exits[name] }

    func trials() throws -> [TrialRecord] { try setup.store.allTrials() }

    func events(_ kind: String) throws -> [EventRecord] { try setup.store.events(afterID: 0, limit: 100_000).filter { $0.kind == kind } }

    private static func quietLogger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .error
        return logger
    }
}
