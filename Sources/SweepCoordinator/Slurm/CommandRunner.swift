import Foundation

/// What an external command printed and how it exited.
public struct CommandResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public init(status: Int32, stdout: String = "", stderr: String = "") {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
    /// stderr, else stdout, trimmed: what to show a person when the command failed.
    public var message: String {
        let err = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return err.isEmpty ? stdout.trimmingCharacters(in: .whitespacesAndNewlines) : err
    }
}

/// Runs scheduler tools (sbatch, squeue, scancel). Injected so the launcher's logic is tested
/// with a scripted fake and the real tools are used only end to end.
public protocol CommandRunner: Sendable {
    /// Whether `tool` is an executable on PATH.
    func isAvailable(_ tool: String) -> Bool
    /// Runs `tool` from PATH; throws only when it cannot be started or does not finish in time.
    func run(_ tool: String, _ arguments: [String]) throws -> CommandResult
}

public struct CommandRunnerError: Error, CustomStringConvertible {
    public let description: String
}

/// Runs tools as child processes found on PATH; output goes through temporary files, so a tool
/// that prints a lot cannot block on a full pipe.
public struct ProcessCommandRunner: CommandRunner {
    /// A tool still running after this long is killed (squeue retries for a while when slurmctld is down).
    public var timeout: Double

    public init(timeout: Double = 60) { self.timeout = timeout }

    public func isAvailable(_ tool: String) -> Bool { path(of: tool) != nil }

    func path(of tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public func run(_ tool: String, _ arguments: [String]) throws -> CommandResult {
        guard let executable = path(of: tool) else { throw CommandRunnerError(description: "\(tool) is not on PATH") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rnnsweep-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do { try process.run() } catch { throw CommandRunnerError(description: "cannot run \(executable): \(error)") }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            _ = done.wait(timeout: .now() + 5)
            throw CommandRunnerError(description: "\(tool) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        let text = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        return CommandResult(status: process.terminationStatus, stdout: text(out), stderr: text(err))
    }
}
