import Foundation
import GRDB
import SweepTestSupport
import Logging
import SweepCore
import SweepCoordinator
import SweepStore
import SweepWorker

/// A coordinator service and in-process workers over real loopback TCP and a real SQLite store,
/// each on its own thread, in a temporary folder.
final class ServiceHarness: @unchecked Sendable {
    let root: URL
    let sweepFile: URL
    var options: CoordinatorOptions
    let trainer: ScriptedTrainer
    private var workers: [String: UncheckedBox<WorkerService>] = [:]
    private let lock = NSLock()

    /// Stops a worker without a goodbye (a crash, as the coordinator sees it).
    func freeze(_ name: String) {
        lock.lock(); let worker = workers[name]; lock.unlock()
        worker?.value.halt()
    }

    init(grid: String = #"{"hidden_size": [8, 16, 24]}"#, epochs: Int = 3, learningRate: Double = 0.01,
         epochSeconds: Double = 0.05, lostAfter: Double = 3, maxAttempts: Int = 3) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("coord-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let text = String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 40)
        try Data(text.utf8).write(to: root.appendingPathComponent("text.txt"))
        sweepFile = root.appendingPathComponent("sweep.json")
        try Data("""
        {"name": "svc", "dataset": {"path": "text.txt"}, "split": {"kind": "tail", "fraction": 0.1},
         "training": {"objective": "every-step", "sequence_length": 8, "batch_size": 4, "epochs": \(epochs),
                      \(grid.contains("learning_rate") ? "" : "\"learning_rate\": \(learningRate),") "optimizer": "adam", "seed": 1, "checkpoint_every": 1,
                      "max_attempts": \(maxAttempts)},
         "model": {"cell": "gru", "layers": 1, "fc_layers": 1},
         "generate": {"length": 10, "prompts": ["the "], "mode": "stateful"},
         "grid": \(grid), "schedule": "file-order"}
        """.utf8).write(to: sweepFile)
        options = CoordinatorOptions(sweepFile: sweepFile, base: root, workers: 0, listen: "tcp://127.0.0.1:*")
        options.policy = SchedulerPolicy(heartbeatInterval: 0.2, suspectAfterMissedBeats: 3, lostAfter: lostAfter,
                                         quarantineAfterInfraFailures: 3, adoptionWindow: lostAfter)
        trainer = ScriptedTrainer(epochSeconds: epochSeconds)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var folder: RunFolder { RunFolder(sweepName: "svc", base: root) }
    /// The text every trial trains on.
    var datasetFile: URL { root.appendingPathComponent("text.txt") }

    /// The content hash of the sweep's dataset (what DATASET_REQUEST names).
    var datasetSHA256: String {
        SHA256Hex.digest((try? Data(contentsOf: root.appendingPathComponent("text.txt"))) ?? Data())
    }

    /// Prepares the run, binds, and starts the service loop on a thread; `configure` runs on the
    /// service before its loop starts.
    func startCoordinator(configure: (CoordinatorService) throws -> Void = { _ in }) async throws
        -> (CoordinatorService, String, Finished<Bool>, ShutdownSignal) {
        let setup = try await RunSetup.prepare(options)
        var logger = Logger(label: "test-coordinator")
        logger.logLevel = .warning
        let shutdown = ShutdownSignal(signals: [])
        let service = try CoordinatorService(setup: setup, options: options, logger: logger,
                                             progress: ProgressView(output: .nullDevice, isTerminal: false), shutdown: shutdown)
        let endpoint = try service.bind()
        try configure(service)
        let finished = Finished<Bool>()
        let box = UncheckedBox(service)
        Thread { finished.set((try? box.value.run()) ?? false) }.start()
        return (service, endpoint, finished, shutdown)
    }

    /// Starts a worker service on a thread; `finished` gets its exit.
    func startWorker(_ endpoint: String, name: String, protocolVersion: Int? = nil,
                     watchdog: Double = 600) throws -> Finished<WorkerExit> {
        var options = WorkerOptions(endpoint: endpoint, workerID: name, host: "test", cores: 1, build: "test",
                                    stateDirectory: root.appendingPathComponent("workers/\(name)"),
                                    datasetCache: root.appendingPathComponent("workers/\(name)/datasets"))
        options.exitOnBye = true
        options.heartbeatInterval = 0.2
        options.protocolVersion = protocolVersion
        options.watchdogSeconds = watchdog
        var logger = Logger(label: "test-worker")
        logger.logLevel = .warning
        let service = try WorkerService(options: options, trainer: trainer, logger: logger)
        let finished = Finished<WorkerExit>()
        let box = UncheckedBox(service)
        lock.lock(); workers[name] = box; lock.unlock()
        Thread { finished.set(box.value.run()) }.start()
        return finished
    }
}

/// A value set once by another thread, awaited with a timeout (woken when it is set).
final class Finished<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: T?
    func set(_ v: T) {
        condition.lock()
        value = v
        condition.broadcast()
        condition.unlock()
    }
    func wait(seconds: Double) -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while value == nil, condition.wait(until: deadline) {}
        return value
    }
}

/// Moves a non-Sendable service to the thread that owns it from then on.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Another process's write lock on sweep.db: a thread takes it (BEGIN EXCLUSIVE) and keeps it for
/// `seconds`. `locked` is set when it holds it, `released` (true) once it committed.
struct ExternalWriteLock {
    let locked = Finished<Date>()
    let released = Finished<Bool>()

    init(on database: URL, seconds: Double) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)   // the coordinator may be writing at this moment
        let blocker = try DatabaseQueue(path: database.path, configuration: configuration)
        let locked = locked, released = released
        Thread {
            do {
                try blocker.inDatabase { db in
                    try db.execute(sql: "BEGIN EXCLUSIVE")
                    locked.set(Date())
                    Thread.sleep(forTimeInterval: seconds)
                    try db.execute(sql: "COMMIT")
                }
                released.set(true)
            } catch {
                released.set(false)
            }
        }.start()
    }
}
