import Foundation

/// The batch script and sbatch command line for a job of worker tasks.
public enum SlurmJobScript {
    /// The script: one `srun` step of every task, each a worker in the foreground (a worker that
    /// daemonized would survive scancel under proctrack/linuxproc), exiting 0 when the sweep is done.
    public static func text(_ job: SlurmWorkerJob) -> String {
        let q = ShellQuote.quote
        return """
            #!/bin/bash
            # Written by `coordinator run --slurm` for sweep \(job.sweepName.filter { $0.isLetter || $0.isNumber || "-_.".contains($0) }).
            # Every task is one worker connecting back to the coordinator; each has its own private state folder.
            exec srun --kill-on-bad-exit=0 bash -c 'exec "$0" run --connect "$1" --server-key "$2" --key "$3" --exit-when-done --state-dir "$4/slurm-$SLURM_JOB_ID-$SLURM_PROCID"' \\
              \(q(job.workerExecutable)) \(q(job.endpoint)) \(q(job.serverPublicKeyFile)) \(q(job.workerKeyFile)) \(q(job.stateRoot))

            """
    }

    /// sbatch's arguments (the script path last).
    public static func sbatchArguments(_ settings: SlurmSettings, _ job: SlurmWorkerJob) -> [String] {
        var args = ["--parsable", "--job-name=rnnsweep-workers", "--ntasks=\(settings.tasks)", "--cpus-per-task=1",
                    "--output=\(job.logFolder)/slurm-%j.out"]
        if let partition = settings.partition { args.append("--partition=\(partition)") }
        if let time = settings.timeLimit { args.append("--time=\(time)") }
        return args + settings.extraArguments + [job.scriptFile]
    }
}

/// POSIX shell single quoting.
public enum ShellQuote {
    public static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
