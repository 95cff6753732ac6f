import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs N local `worker` child processes for `coordinator run`, restarts one that dies with a
/// growing delay (1 s → 32 s, reset after a minute of healthy running), and ends them all on
/// `stop()`. Children also die with the coordinator on their own (`--parent-pid`, PDEATHSIG).
///
/// Every child is spawned by one long-lived launcher thread. Linux fires a child's parent-death
/// signal when the *thread* that forked it exits, so a child spawned from a pool thread (GCD,
/// Swift concurrency) is killed whenever that pool retires the thread, seconds later.
public final class LocalWorkerSupervisor: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var executable: URL
        /// Arguments for child `index` (0-based) started under `workerID` (unique per start).
        public var arguments: @Sendable (_ index: Int, _ workerID: String) -> [String]
        public var count: Int
        /// Each child's stdout and stderr go to `worker-<index>.log` here (nil: inherited).
        public var logDirectory: URL?
        public var environment: [String: String]?
        public init(executable: URL, arguments: @escaping @Sendable (_ index: Int, _ workerID: String) -> [String],
                    count: Int, logDirectory: URL? = nil, environment: [String: String]? = nil) {
            self.executable = executable
            self.arguments = arguments
            self.count = count
            self.logDirectory = logDirectory
            self.environment = environment
        }
    }

    private struct Slot {
        var process: Process?
        var workerID: String?
        var startedAt: Date = .distantPast
        var restartDelay: Double = 1
        var restarts = 0
        /// When the launcher thread should (re)start this slot; nil while running or idle.
        var launchAt: Date?
    }

    private let configuration: Configuration
    private let condition = NSCondition()
    private var slots: [Slot]
    private var stopping = false
    private var launcherRunning = false
    /// Set by `stop()` once every child is gone.
    private var launcherMayExit = false
    private let onEvent: @Sendable (String) -> Void
    private let onExit: @Sendable (LocalWorkerExit) -> Void

    /// - Parameters:
    ///   - onEvent: one line of text per start, exit and restart (for the log).
    ///   - onExit: every child that exits on its own, as soon as its exit is seen (not on `stop()`).
    public init(_ configuration: Configuration, onEvent: @escaping @Sendable (String) -> Void = { _ in },
                onExit: @escaping @Sendable (LocalWorkerExit) -> Void = { _ in }) {
        self.configuration = configuration
        self.slots = Array(repeating: Slot(), count: configuration.count)
        self.onEvent = onEvent
        self.onExit = onExit
    }

    /// The worker binary installed next to the running executable (SwiftPM puts every product of a
    /// build in one folder). `RNNSWEEP_WORKER_BIN` overrides it.
    public static func defaultWorkerExecutable() -> URL? {
        if let path = ProcessInfo.processInfo.environment["RNNSWEEP_WORKER_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        guard let me = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return nil }
        let candidate = me.deletingLastPathComponent().appendingPathComponent("worker")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    /// Process ids of the children now running.
    public var pids: [Int32] {
        condition.lock(); defer { condition.unlock() }
        return slots.compactMap { $0.process?.isRunning == true ? $0.process?.processIdentifier : nil }
    }

    /// Total restarts of dead children so far.
    public var restartCount: Int {
        condition.lock(); defer { condition.unlock() }
        return slots.reduce(0) { $0 + $1.restarts }
    }

    /// Starts every child from the launcher thread and returns once they are all spawned.
    /// Throws the first spawn error (missing executable, unwritable log folder), having stopped.
    public func start() throws {
        if let folder = configuration.logDirectory {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        let firstRound = FirstRound()
        let thread = Thread { [self] in launcherLoop(firstRound) }
        thread.name = "worker-launcher"
        condition.lock()
        launcherRunning = true
        condition.unlock()
        thread.start()
        if let error = firstRound.wait() {
            stop(timeout: 1)
            throw error
        }
    }

    // MARK: The launcher thread

    /// Hands the outcome of the first round of spawns to `start()`.
    private final class FirstRound: @unchecked Sendable {
        private let condition = NSCondition()
        private var reported = false
        private var error: Error?
        func report(_ error: Error?) {
            condition.lock(); defer { condition.unlock() }
            self.error = error
            reported = true
            condition.broadcast()
        }
        func wait() -> Error? {
            condition.lock(); defer { condition.unlock() }
            while !reported { condition.wait() }
            return error
        }
    }

    /// Spawns every child, then restarts dead ones when due; lives until `stop()` has ended
    /// every child.
    private func launcherLoop(_ firstRound: FirstRound) {
        var firstError: Error?
        for index in slots.indices {
            do { try launch(index) } catch {
                firstError = firstError ?? error
                onEvent("worker \(index) could not be started: \(error)")
            }
        }
        firstRound.report(firstError)
        condition.lock()
        while !launcherMayExit {
            let now = Date()
            let due = stopping ? [] : slots.indices.filter { slots[$0].launchAt.map { $0 <= now } ?? false }
            if due.isEmpty {
                if !stopping, let next = slots.compactMap(\.launchAt).min() {
                    _ = condition.wait(until: next)
                } else {
                    condition.wait()
                }
                continue
            }
            for index in due { slots[index].launchAt = nil }
            condition.unlock()
            for index in due {
                do { try launch(index) } catch {
                    onEvent("worker \(index) could not be restarted: \(error)")
                }
            }
            condition.lock()
        }
        launcherRunning = false
        condition.broadcast()
        condition.unlock()
    }

    /// Spawns child `index`; runs on the launcher thread only.
    private func launch(_ index: Int) throws {
        let workerID = Self.newWorkerID(index: index)
        let process = Process()
        process.executableURL = configuration.executable
        process.arguments = configuration.arguments(index, workerID)
        if let environment = configuration.environment { process.environment = environment }
        if let folder = configuration.logDirectory {
            let url = folder.appendingPathComponent("worker-\(index).log")
            if !FileManager.default.fileExists(atPath: url.path) {
                _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: url)
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
        }
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [weak self] finished in
            self?.childExited(index, process: finished)
        }
        condition.lock()
        if stopping { condition.unlock(); return }
        slots[index].process = process
        slots[index].workerID = workerID
        slots[index].startedAt = Date()
        // Spawn under the lock, so `stop()` either sees this child or stops us from starting it.
        do { try process.run() } catch {
            slots[index].process = nil
            slots[index].workerID = nil
            condition.unlock()
            throw error
        }
        condition.unlock()
        onEvent("worker \(index) started (pid \(process.processIdentifier))")
    }

    /// `<host>-local<index>-<random>`: unique per start, so a replacement is a new worker.
    static func newWorkerID(index: Int) -> String {
        let host = ProcessInfo.processInfo.hostName.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        return "\(host)-local\(index)-\(String(UInt32.random(in: .min ... .max), radix: 16))"
    }

    private func childExited(_ index: Int, process: Process) {
        condition.lock()
        guard !stopping, slots[index].process === process else { condition.unlock(); return }
        let workerID = slots[index].workerID ?? ""
        let signalled = process.terminationReason == .uncaughtSignal
        let how = signalled ? "signal \(process.terminationStatus)" : "status \(process.terminationStatus)"
        slots[index].process = nil
        slots[index].workerID = nil
        // Exit 0 is a worker told to leave (the sweep is over); exit 4 a refusal that a restart cannot fix.
        let final = !signalled && [0, 4].contains(process.terminationStatus)
        var delay = 0.0
        if !final {
            let ranFor = Date().timeIntervalSince(slots[index].startedAt)
            if ranFor > 60 { slots[index].restartDelay = 1 }
            delay = slots[index].restartDelay
            slots[index].restartDelay = min(32, delay * 2)
            slots[index].restarts += 1
            slots[index].launchAt = Date().addingTimeInterval(delay)
            condition.broadcast()
        }
        condition.unlock()
        onExit(LocalWorkerExit(index: index, pid: process.processIdentifier, workerID: workerID, how: how))
        if final {
            onEvent("worker \(index) (pid \(process.processIdentifier)) exited with \(how)")
        } else {
            onEvent("worker \(index) (pid \(process.processIdentifier)) exited with \(how); restarting in \(Int(delay)) s")
        }
    }

    /// Ends every child: SIGTERM, then SIGKILL for any still alive after `timeout` seconds.
    public func stop(timeout: Double = 5) {
        condition.lock()
        stopping = true
        condition.broadcast()
        let running = slots.compactMap(\.process).filter(\.isRunning)
        condition.unlock()
        for process in running { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(timeout)
        while running.contains(where: \.isRunning), Date() < deadline { usleep(20_000) }
        for process in running where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for process in running { process.waitUntilExit() }
        // The launcher thread may end only now: its children's death signal is tied to it.
        condition.lock()
        launcherMayExit = true
        condition.broadcast()
        while launcherRunning { condition.wait() }
        condition.unlock()
    }
}

/// A local worker process that ended without being asked to.
public struct LocalWorkerExit: Sendable, Equatable {
    public let index: Int
    public let pid: Int32
    /// The `--worker-id` it was started with (its HELLO `worker_id`).
    public let workerID: String
    /// "signal 9", "status 1".
    public let how: String
}
