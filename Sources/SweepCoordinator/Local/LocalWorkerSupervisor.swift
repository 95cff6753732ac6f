import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs N local `worker` child processes for `coordinator run`, restarts one that dies with a
/// growing delay (1 s → 32 s, reset after a minute of healthy running), and ends them all on
/// `stop()`. Children also die with the coordinator on their own (`--parent-pid`, PDEATHSIG).
public final class LocalWorkerSupervisor: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var executable: URL
        /// Arguments for child `index` (0-based).
        public var arguments: @Sendable (Int) -> [String]
        public var count: Int
        /// Each child's stdout and stderr go to `worker-<index>.log` here (nil: inherited).
        public var logDirectory: URL?
        public var environment: [String: String]?
        public init(executable: URL, arguments: @escaping @Sendable (Int) -> [String], count: Int,
                    logDirectory: URL? = nil, environment: [String: String]? = nil) {
            self.executable = executable
            self.arguments = arguments
            self.count = count
            self.logDirectory = logDirectory
            self.environment = environment
        }
    }

    private struct Slot {
        var process: Process?
        var startedAt: Date = .distantPast
        var restartDelay: Double = 1
        var restarts = 0
    }

    private let configuration: Configuration
    private let lock = NSLock()
    private var slots: [Slot]
    private var stopping = false
    private let onEvent: @Sendable (String) -> Void

    public init(_ configuration: Configuration, onEvent: @escaping @Sendable (String) -> Void = { _ in }) {
        self.configuration = configuration
        self.slots = Array(repeating: Slot(), count: configuration.count)
        self.onEvent = onEvent
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
        lock.lock(); defer { lock.unlock() }
        return slots.compactMap { $0.process?.isRunning == true ? $0.process?.processIdentifier : nil }
    }

    /// Total restarts of dead children so far.
    public var restartCount: Int {
        lock.lock(); defer { lock.unlock() }
        return slots.reduce(0) { $0 + $1.restarts }
    }

    public func start() throws {
        for index in 0..<configuration.count { try launch(index) }
    }

    private func launch(_ index: Int) throws {
        let process = Process()
        process.executableURL = configuration.executable
        process.arguments = configuration.arguments(index)
        if let environment = configuration.environment { process.environment = environment }
        if let folder = configuration.logDirectory {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
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
        lock.lock()
        if stopping { lock.unlock(); return }
        slots[index].process = process
        slots[index].startedAt = Date()
        lock.unlock()
        try process.run()
        onEvent("worker \(index) started (pid \(process.processIdentifier))")
    }

    private func childExited(_ index: Int, process: Process) {
        lock.lock()
        guard !stopping, slots[index].process === process else { lock.unlock(); return }
        // Exit 0 is a worker told to leave (the sweep is over); exit 4 a refusal that a restart cannot fix.
        if process.terminationReason == .exit, [0, 4].contains(process.terminationStatus) {
            slots[index].process = nil
            lock.unlock()
            onEvent("worker \(index) (pid \(process.processIdentifier)) exited with status \(process.terminationStatus)")
            return
        }
        let ranFor = Date().timeIntervalSince(slots[index].startedAt)
        if ranFor > 60 { slots[index].restartDelay = 1 }
        let delay = slots[index].restartDelay
        slots[index].restartDelay = min(32, delay * 2)
        slots[index].restarts += 1
        slots[index].process = nil
        lock.unlock()
        let how = process.terminationReason == .uncaughtSignal ? "signal \(process.terminationStatus)"
                                                               : "status \(process.terminationStatus)"
        onEvent("worker \(index) (pid \(process.processIdentifier)) exited with \(how); restarting in \(Int(delay)) s")
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in
            do { try self?.launch(index) } catch {
                self?.onEvent("worker \(index) could not be restarted: \(error)")
            }
        }
    }

    /// Ends every child: SIGTERM, then SIGKILL for any still alive after `timeout` seconds.
    public func stop(timeout: Double = 5) {
        lock.lock()
        stopping = true
        let running = slots.compactMap(\.process).filter(\.isRunning)
        lock.unlock()
        for process in running { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(timeout)
        while running.contains(where: \.isRunning), Date() < deadline { usleep(20_000) }
        for process in running where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for process in running { process.waitUntilExit() }
    }
}
