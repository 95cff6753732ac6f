import Foundation
import SweepTestSupport

/// Finds the built executables and runs them as real child processes.
enum Executables {
    /// The folder holding `coordinator` and `worker`: `RNNSWEEP_BIN_DIR`, else the build folder
    /// that holds this test bundle (SwiftPM puts products and the test bundle side by side).
    static var folder: URL {
        if let dir = ProcessInfo.processInfo.environment["RNNSWEEP_BIN_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        var url = Bundle.main.bundleURL
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("coordinator").path) { return url }
            url = url.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent()
    }
    static var coordinator: URL { folder.appendingPathComponent("coordinator") }
    static var worker: URL { folder.appendingPathComponent("worker") }
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: coordinator.path) && FileManager.default.isExecutableFile(atPath: worker.path)
    }
}

/// The repository root (for sweeps/), from this file's path.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var dataDirectory: String {
        ProcessInfo.processInfo.environment["RNNSWEEP_DATA_DIR"] ?? root.deletingLastPathComponent().appendingPathComponent("shared/data").path
    }
}

/// A child process whose output goes to files, so nothing blocks on a full pipe.
final class Child: @unchecked Sendable {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL
    private let exited = ExitFlag()

    struct MissingExecutable: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path) does not exist: build the executables first (swift build), or set RNNSWEEP_BIN_DIR" }
    }

    init(_ executable: URL, _ arguments: [String], in folder: URL, name: String, environment: [String: String] = [:]) throws {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else { throw MissingExecutable(path: executable.path) }
        stdoutURL = folder.appendingPathComponent("\(name).out")
        stderrURL = folder.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var env = ProcessInfo.processInfo.environment
        env["RNNSWEEP_DATA_DIR"] = Repository.dataDirectory
        env["RNNSWEEP_CACHE_DIR"] = folder.appendingPathComponent("cache").path
        env["RNNSWEEP_WORKER_BIN"] = Executables.worker.path
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [exited] _ in exited.set() }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Waits up to `seconds` for the process to exit; kills it and returns nil on timeout.
    func wait(seconds: Double) -> Int32? {
        guard exited.wait(seconds: seconds) else {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func signal(_ number: Int32) { kill(pid, number) }
}

/// Set once by a child's termination handler; waited on with a timeout.
final class ExitFlag: @unchecked Sendable {
    private let condition = NSCondition()
    private var isSet = false

    func set() {
        condition.lock()
        isSet = true
        condition.broadcast()
        condition.unlock()
    }

    func wait(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !isSet {
            guard condition.wait(until: deadline) else { return isSet }
        }
        return true
    }
}

/// The endpoint a coordinator started with `--listen tcp://127.0.0.1:*` bound (the system picked a
/// free port), read from its "coordinator listening on <endpoint>;" log line.
func listeningEndpoint(of coordinator: Child, seconds: Double = 20) -> String? {
    var endpoint: String?
    _ = eventually(seconds: seconds) {
        guard let start = coordinator.stderr.range(of: "coordinator listening on ")?.upperBound else { return false }
        let rest = coordinator.stderr[start...]
        endpoint = rest.firstIndex(of: ";").map { String(rest[..<$0]) }
        return endpoint != nil
    }
    return endpoint
}

/// A temporary folder for one test.
func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rnnsweep-it-\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Process ids of live processes whose parent is `parent` (from /proc).
func children(of parent: Int32) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap(Int32.init).filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 2 && fields[0] != "Z" && Int32(fields[1]) == parent
    }
}

func isAlive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return !stat[stat.index(after: close)...].hasPrefix(" Z")
}
