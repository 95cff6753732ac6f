import Foundation

/// A job's state as squeue reports it (`%T|%r`): the state name and SLURM's reason.
public struct SlurmJobState: Sendable, Equatable {
    /// Upper-case SLURM state name (`PENDING`, `RUNNING`, `CANCELLED`, ...), or `GONE` when
    /// SLURM no longer knows the job.
    public var name: String
    /// SLURM's reason (`Resources`, `Priority`, `NonZeroExitCode`, ...); nil for `None`.
    public var reason: String?
    /// The job's batch script (squeue `%o`): tells this run's job from another one that got the
    /// same id (SLURM restarts its ids at 1 when its state is cleared).
    public var command: String?

    public init(name: String, reason: String? = nil, command: String? = nil) {
        self.name = name
        self.reason = reason
        self.command = command
    }

    public static let gone = SlurmJobState(name: "GONE")

    /// States in which the job holds or waits for an allocation (and scancel still matters).
    static let activeStates: Set<String> = [
        "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_FED",
        "REQUEUE_HOLD", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD",
    ]
    public var isActive: Bool { Self.activeStates.contains(name) }
    public var isRunning: Bool { name == "RUNNING" || name == "COMPLETING" }

    /// "RUNNING", "PENDING (Resources)".
    public var text: String { reason.map { "\(name) (\($0))" } ?? name }
}

/// Reads what sbatch and squeue print. Their output is checked, never trusted: a job id is digits
/// only, a state is an upper-case word, a reason is bounded printable text.
public enum SlurmOutput {
    /// The job id from `sbatch --parsable` (`123` or `123;cluster`).
    public static func jobID(fromSbatch output: String) -> String? {
        let first = output.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let id = first.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return isJobID(id) ? id : nil
    }

    public static func isJobID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 20 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// The format squeue is asked for (the command last: a path may contain `|`).
    public static let squeueFormat = "%T|%r|%o"

    /// The state from `squeue -h -t all -j ID -o '%T|%r|%o'`; nil when the output is not such a line.
    public static func state(fromSqueue output: String) -> SlurmJobState? {
        let lines = output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let line = lines.first else { return .gone }
        let parts = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        let command = parts.count > 2 && !parts[2].isEmpty ? String(parts[2].prefix(4096)) : nil
        let name = parts[0]
        guard !name.isEmpty, name.count <= 32, name.utf8.allSatisfy({ (0x41...0x5a).contains($0) || $0 == UInt8(ascii: "_") }) else { return nil }
        var reason = parts.count > 1 ? String(parts[1].prefix(200)) : ""
        reason = String(reason.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7f }.map(Character.init))
        return SlurmJobState(name: name, reason: reason.isEmpty || reason == "None" ? nil : reason, command: command)
    }

    /// squeue's answer for a job it has forgotten (older than MinJobAge, or a restarted slurmctld).
    public static func isUnknownJob(_ result: CommandResult) -> Bool {
        result.status != 0 && result.message.localizedCaseInsensitiveContains("invalid job id")
    }
}
