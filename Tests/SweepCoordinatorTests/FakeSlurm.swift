import Foundation
@testable import SweepCoordinator

/// A scripted SLURM behind the launcher's command runner: sbatch hands out job ids, squeue reports
/// what the test set, scancel cancels. Each squeue call advances the fake time by one second.
final class FakeSlurm: CommandRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var jobs: [String: String] = [:]
    /// The script each job runs (squeue's `%o`), as sbatch was given it.
    private var scripts: [String: String] = [:]
    private var nextID = 7
    private var time = 1000.0
    private(set) var calls: [[String]] = []
    var installed: Set<String> = ["sbatch", "squeue", "scancel"]
    /// Replaces sbatch's answer (a refusal).
    var sbatchAnswer: CommandResult?
    /// Called with the job id on each squeue, under no lock: may call `set`.
    var onSqueue: (@Sendable (String) -> Void)?

    var now: Double { lock.withLock { time } }
    func advance(_ seconds: Double) { lock.withLock { time += seconds } }
    func set(_ id: String, _ line: String) { lock.withLock { jobs[id] = line } }
    /// Another job now has this id (SLURM restarted its ids), running another script.
    func reassign(_ id: String, script: String) { lock.withLock { scripts[id] = script } }
    func state(_ id: String) -> String? { lock.withLock { jobs[id] } }
    func script(_ id: String) -> String? { lock.withLock { scripts[id] } }
    func commands(_ tool: String) -> [[String]] { lock.withLock { calls.filter { $0.first == tool } } }

    func isAvailable(_ tool: String) -> Bool { installed.contains(tool) }

    func run(_ tool: String, _ arguments: [String]) throws -> CommandResult {
        lock.withLock { calls.append([tool] + arguments) }
        switch tool {
        case "sbatch":
            if let sbatchAnswer { return sbatchAnswer }
            let id = lock.withLock { () -> String in
                let id = "\(nextID)"
                nextID += 1
                jobs[id] = "PENDING|Priority"
                scripts[id] = arguments.last ?? ""
                return id
            }
            return CommandResult(status: 0, stdout: "\(id)\n")
        case "squeue":
            guard let index = arguments.firstIndex(of: "-j"), index + 1 < arguments.count else { return CommandResult(status: 1, stderr: "bad call") }
            let id = arguments[index + 1]
            onSqueue?(id)
            return lock.withLock {
                time += 1
                guard let line = jobs[id] else {
                    return CommandResult(status: 1, stderr: "slurm_load_jobs error: Invalid job id specified\n")
                }
                return CommandResult(status: 0, stdout: line + (line.contains("|") ? "|\(scripts[id] ?? "")" : "") + "\n")
            }
        case "scancel":
            let id = arguments.last ?? ""
            return lock.withLock {
                guard let line = jobs[id] else { return CommandResult(status: 1, stderr: "scancel: error: Invalid job id specified\n") }
                if line.hasPrefix("COMPLETED") || line.hasPrefix("CANCELLED") {
                    return CommandResult(status: 1, stderr: "scancel: error: Kill job error on job id \(id): Job/step already completing or completed\n")
                }
                jobs[id] = "CANCELLED|None"
                return CommandResult(status: 0)
            }
        default:
            throw CommandRunnerError(description: "\(tool) is not on PATH")
        }
    }
}
