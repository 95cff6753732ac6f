import Foundation

/// Submits, watches and cancels the SLURM job of a run's workers through sbatch, squeue and
/// scancel. It keeps `slurm-job.json` current (for `coordinator status` and re-runs) and tells
/// the coordinator what happened through `reports`. Its calls come from one thread at a time:
/// `start` before the sweep, `poll` from the watcher, `finish` after the watcher stopped.
public final class SlurmLauncher: @unchecked Sendable {
    public let settings: SlurmSettings
    public let job: SlurmWorkerJob
    let recordFile: URL
    let runner: any CommandRunner
    let now: @Sendable () -> Double
    public let reports: JobReports

    public private(set) var jobID: String?
    public private(set) var state = SlurmJobState(name: "NONE")
    /// Jobs submitted by this coordinator process (re-used ones are not counted).
    public private(set) var submissions = 0
    var runningSince: Double?
    var shortJobsInARow = 0
    var resubmitAt: Double?
    var gaveUp = false

    public init(settings: SlurmSettings, job: SlurmWorkerJob, recordFile: URL, runner: any CommandRunner = ProcessCommandRunner(),
                reports: JobReports = JobReports(), now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.settings = settings
        self.job = job
        self.recordFile = recordFile
        self.runner = runner
        self.reports = reports
        self.now = now
    }

    /// The tools missing from PATH (empty when all are there).
    public static func missingTools(_ runner: any CommandRunner) -> [String] {
        SlurmSettings.tools.filter { !runner.isAvailable($0) }
    }

    /// Re-uses the job a previous run of this folder left queued or running when its endpoint and
    /// task count still match (and `mayReuse`: not after `--fresh`, which made new keys), cancels
    /// it otherwise, and submits a new one if needed.
    /// - Throws: `RunSetupError` when sbatch refuses the job (its message is SLURM's reason).
    public func start(mayReuse: Bool = true) throws {
        if let previous = try SlurmJobRecord.read(recordFile) {
            // squeue could not answer: leave that job alone (it is not known to be this run's).
            let current = queryState(previous.jobID) ?? SlurmJobState(name: "UNKNOWN")
            if current.isActive, current.command != job.scriptFile {
                report("SLURM job \(previous.jobID) of the previous run's record now runs \(current.command ?? "another script"); left alone")
            } else if mayReuse, current.isActive, previous.endpoint == job.endpoint, previous.tasks == settings.tasks {
                jobID = previous.jobID
                update(current)
                report("re-using SLURM job \(previous.jobID) of the previous run: \(current.text)")
                return
            } else if current.isActive {
                report("cancelling SLURM job \(previous.jobID) of the previous run (it served \(previous.endpoint) with \(previous.tasks) tasks)")
                cancel(previous.jobID)
            }
        }
        try submit()
    }

    func submit() throws {
        do {
            try FileManager.default.createDirectory(atPath: job.logFolder, withIntermediateDirectories: true)
            try DurableFile.replace(atPath: job.scriptFile, with: Array(SlurmJobScript.text(job).utf8))
        } catch {
            throw RunSetupError("cannot write the SLURM job script \(job.scriptFile): \(error)")
        }
        let result: CommandResult
        do { result = try runner.run("sbatch", SlurmJobScript.sbatchArguments(settings, job)) } catch {
            throw RunSetupError("sbatch failed: \(error)")
        }
        guard result.status == 0 else {
            throw RunSetupError("sbatch refused the worker job (exit \(result.status)): \(result.message)")
        }
        guard let id = SlurmOutput.jobID(fromSbatch: result.stdout) else {
            throw RunSetupError("sbatch printed no job id: \(result.stdout.prefix(200).debugDescription)")
        }
        jobID = id
        submissions += 1
        runningSince = nil
        resubmitAt = nil
        report("submitted SLURM job \(id): \(settings.tasks) worker task(s) connecting to \(job.endpoint); output in \(job.logFolder)/slurm-\(id).out")
        update(SlurmJobState(name: "PENDING"))
    }

    /// Asks squeue about the job; reports a change of state or reason; resubmits a job that ended
    /// while the sweep still runs (after `resubmitDelay`), unless too many ended early in a row.
    public func poll() {
        let time = now()
        if let at = resubmitAt {
            guard time >= at else { return }
            do { try submit() } catch {
                report("resubmitting the worker job failed: \(error)")
                resubmitAt = time + max(settings.resubmitDelay, 10)
            }
            return
        }
        guard let id = jobID, !gaveUp, let current = queryState(id) else { return }
        if current.isRunning, runningSince == nil { runningSince = time }
        guard current.name != state.name || current.reason != state.reason else { return }
        update(current)
        if current.isActive {
            report("SLURM job \(id): \(current.text)")
            return
        }
        let ran = runningSince.map { time - $0 } ?? 0
        shortJobsInARow = ran < settings.shortJobSeconds ? shortJobsInARow + 1 : 0
        let output = "\(job.logFolder)/slurm-\(id).out"
        if shortJobsInARow > settings.maxShortJobsInARow {
            gaveUp = true
            report("SLURM job \(id) ended: \(current.text); not resubmitting: \(shortJobsInARow) jobs in a row ended within \(Int(settings.shortJobSeconds)) s (see \(output)); start workers by hand or re-run")
        } else {
            report("SLURM job \(id) ended: \(current.text) while the sweep runs; its trials resume elsewhere; resubmitting in \(Int(settings.resubmitDelay)) s (see \(output))")
            resubmitAt = time + settings.resubmitDelay
        }
    }

    /// Cancels the job (the sweep ended, a signal, or the coordinator exits) and waits, bounded,
    /// until SLURM no longer lists it as active. `sweepComplete`: the workers were told so and
    /// exit by themselves; they get `settings.exitWait` seconds before scancel ends the rest.
    public func finish(reason: String, sweepComplete: Bool = false) {
        resubmitAt = nil
        guard let id = jobID else { return }
        var current = queryState(id) ?? state
        if sweepComplete, current.isRunning {
            let deadline = now() + settings.exitWait
            while current.isActive, now() < deadline {
                Thread.sleep(forTimeInterval: 0.25)
                current = queryState(id) ?? current
            }
            if !current.isActive { report("SLURM job \(id) ended by itself: \(current.text)") }
        }
        if current.isActive {
            cancel(id)
            report("cancelled SLURM job \(id): \(reason)")
        }
        let deadline = now() + settings.cancelWait
        var last = current
        while last.isActive, now() < deadline {
            Thread.sleep(forTimeInterval: 0.25)
            last = queryState(id) ?? last
        }
        if last.isActive { report("SLURM job \(id) is still \(last.text) \(Int(settings.cancelWait)) s after scancel") }
        update(last.isActive ? last : (last == .gone ? SlurmJobState(name: "CANCELLED") : last))
    }

    func cancel(_ id: String) {
        do {
            let result = try runner.run("scancel", [id])
            // scancel of a job that has just ended says so and fails: nothing left to do then.
            if result.status != 0, !result.message.localizedCaseInsensitiveContains("already completing or completed"),
               !SlurmOutput.isUnknownJob(result) {
                report("scancel \(id) failed (exit \(result.status)): \(result.message)")
            }
        } catch {
            report("scancel \(id) failed: \(error)")
        }
    }

    /// nil when squeue could not answer (slurmctld busy or down): keep the last known state.
    func queryState(_ id: String) -> SlurmJobState? {
        let result: CommandResult
        do { result = try runner.run("squeue", ["-h", "-t", "all", "-j", id, "-o", SlurmOutput.squeueFormat]) } catch {
            reports.setLine("SLURM job \(id): \(state.text) (squeue: \(error))")
            return nil
        }
        if SlurmOutput.isUnknownJob(result) { return .gone }
        guard result.status == 0, let parsed = SlurmOutput.state(fromSqueue: result.stdout) else {
            reports.setLine("SLURM job \(id): \(state.text) (squeue failed: \(result.message.prefix(120)))")
            return nil
        }
        return parsed
    }

    func update(_ new: SlurmJobState) {
        state = new
        guard let id = jobID else { return }
        reports.setLine("SLURM job \(id): \(new.text), \(settings.tasks) task(s)")
        do { try SlurmJobRecord(jobID: id, endpoint: job.endpoint, tasks: settings.tasks, state: new).write(to: recordFile) } catch {
            report("cannot write \(recordFile.path): \(error)")
        }
    }

    func report(_ message: String) { reports.post(message) }
}
