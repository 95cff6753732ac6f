import ArgumentParser
import Foundation
import SweepCoordinator
import SweepCore

/// `coordinator run --slurm N ...`: the coordinator submits its own workers as one SLURM job.
struct SlurmOptions: ParsableArguments {
    @Option(name: .customLong("slurm"), help: "Submit one SLURM job of N worker tasks (one core each) that connect back; cancelled when the run ends (local --workers default to 0).")
    var tasks: Int?
    @Option(name: .customLong("slurm-partition"), help: "SLURM partition for the worker job.") var partition: String?
    @Option(name: .customLong("slurm-time"), help: "SLURM time limit of the worker job (sbatch --time, e.g. 2:00:00).") var time: String?
    @Option(name: .customLong("slurm-arg"), help: "Another sbatch argument (repeatable), e.g. --slurm-arg=--account=lab.") var arguments: [String] = []
    @Option(name: .customLong("slurm-keys"), help: "Folder for the run's CURVE keys (default: keys/ in the run folder).") var keys: String?

    var enabled: Bool { tasks != nil }

    func validate(curveSecretKey: String?, allowWorkers: String?) throws {
        guard let tasks else {
            if partition != nil || time != nil || !arguments.isEmpty || keys != nil {
                throw ValidationError("--slurm-partition, --slurm-time, --slurm-arg and --slurm-keys need --slurm N")
            }
            return
        }
        guard (1...10_000).contains(tasks) else { throw ValidationError("--slurm must be 1-10000 worker tasks, got \(tasks)") }
        if curveSecretKey != nil || allowWorkers != nil {
            throw ValidationError("--slurm makes the run's own keys; use --slurm-keys DIR instead of --curve-secret-key/--allow-workers")
        }
        for (name, value) in [("--slurm-partition", partition), ("--slurm-time", time)] {
            if let value, value.isEmpty || value.hasPrefix("-") || value.contains(where: { $0.isWhitespace }) {
                throw ValidationError("\(name) \(value.debugDescription) is not a SLURM value")
            }
        }
        for argument in arguments where !argument.hasPrefix("-") {
            throw ValidationError("--slurm-arg \(argument.debugDescription) is not an sbatch option (write --slurm-arg=--account=lab)")
        }
    }

    var settings: SlurmSettings? {
        tasks.map { SlurmSettings(tasks: $0, partition: partition, timeLimit: time, extraArguments: arguments) }
    }
}

/// The endpoint remote workers connect to: the bound one, with a wildcard host replaced by this
/// machine's name.
enum AdvertisedEndpoint {
    static func from(bound endpoint: String, hostName: String = ProcessInfo.processInfo.hostName) -> String {
        guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else { return endpoint }
        let host = endpoint[endpoint.index(endpoint.startIndex, offsetBy: 6)..<colon]
        guard host == "0.0.0.0" || host == "*" || host == "[::]" || host == "::" else { return endpoint }
        return "tcp://\(hostName)\(endpoint[colon...])"
    }
}

/// `coordinator status`'s line about the run's SLURM worker job, from slurm-job.json.
enum SlurmStatusLine {
    static func text(for folder: RunFolder, now: Date = Date()) -> String? {
        do {
            guard let record = try SlurmJobRecord.read(SlurmJobRecord.url(in: folder)) else { return nil }
            let age = ProgressView.format(seconds: max(0, now.timeIntervalSince1970 - record.updated))
            return "SLURM job \(record.jobID): \(record.jobState.text), \(record.tasks) task(s), workers connect to \(record.endpoint) (as of \(age) ago)"
        } catch {
            return "SLURM job: \(error)"
        }
    }
}
