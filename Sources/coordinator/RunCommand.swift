import ArgumentParser
import Foundation
import Logging
import SweepCoordinator
import SweepCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run (or resume) a sweep; spawns local workers unless --workers 0.")

    @Argument(help: "The sweep file (JSON).") var file: String
    @Option(help: "Local worker processes to spawn (default: one per core).") var workers: Int?
    @Option(help: "Endpoint to listen on, e.g. tcp://0.0.0.0:5555 (default: a private loopback port).") var listen: String?
    @Option(help: "Folder that holds runs/ (default: the current directory).") var runs: String?
    @Option(name: .customLong("curve-secret-key"), help: "This coordinator's key pair file (coordinator keygen).") var curveSecretKey: String?
    @Option(name: .customLong("allow-workers"), help: "File of allowed worker public keys, one per line.") var allowWorkers: String?
    @Flag(help: "Keep finished trials of a changed sweep file and add its new trials.") var extend = false
    @Flag(help: "Delete the run folder and start over.") var fresh = false
    @Flag(help: "Queue the trials that ran out of attempts (status failed) again, keeping finished ones.") var retryFailed = false
    @Flag(help: "With --retry-failed: also retrain trials that ended as config_error.") var retryConfigErrors = false
    @Flag(inversion: .prefixedNo, help: "Lend idle workers' cores to running trials on the same host (elastic cores).")
    var elasticCores = true
    @Flag(inversion: .prefixedNo, help: "Pause a running trial after a checkpoint to start a waiting one when that ends the sweep sooner.")
    var pausing = true
    @Option(help: .hidden) var lostAfter: Double?
    @Option(help: .hidden) var heartbeat: Double?
    @Option(help: .hidden) var storeFailureLimit: Double?
    @Option(help: .hidden) var progressTimeout: Double?
    @Option(help: .hidden) var workerArg: [String] = []
    @OptionGroup var slurm: SlurmOptions

    func validate() throws {
        guard !(extend && fresh) else { throw ValidationError("--extend and --fresh exclude each other") }
        if retryConfigErrors && !retryFailed { throw ValidationError("--retry-config-errors needs --retry-failed") }
        if retryFailed && fresh { throw ValidationError("--retry-failed and --fresh exclude each other (--fresh starts over)") }
        try slurm.validate(curveSecretKey: curveSecretKey, allowWorkers: allowWorkers)
    }

    func run() async throws {
        // Log lines carry text from workers: keep their control characters off the terminal.
        LoggingSystem.bootstrap { PrintableLogHandler(wrapping: StreamLogHandler.standardError(label: $0)) }
        let logger = Logger(label: "coordinator")
        var options = CoordinatorOptions(sweepFile: URL(fileURLWithPath: file),
                                         workers: workers ?? (slurm.enabled ? 0 : ProcessInfo.processInfo.activeProcessorCount),
                                         listen: listen ?? (slurm.enabled ? "tcp://0.0.0.0:*" : nil))
        if let runs { options.base = URL(fileURLWithPath: runs) }
        options.curveSecretKeyFile = curveSecretKey.map { URL(fileURLWithPath: $0) }
        options.allowedWorkerKeysFile = allowWorkers.map { URL(fileURLWithPath: $0) }
        options.extend = extend
        options.fresh = fresh
        options.retryFailed = retryFailed
        options.retryConfigErrors = retryConfigErrors
        options.policy.elasticCores = elasticCores
        options.policy.pausing = pausing
        // Hidden test knobs (also RNNSWEEP_LOST_AFTER): real runs keep the 30 s grace.
        if let lost = lostAfter ?? ProcessInfo.processInfo.environment["RNNSWEEP_LOST_AFTER"].flatMap(Double.init) {
            options.policy.lostAfter = lost
            options.policy.adoptionWindow = lost
        }
        if let heartbeat { options.policy.heartbeatInterval = heartbeat }
        if let storeFailureLimit { options.storeFailureLimit = storeFailureLimit }
        // Test knob: both progress-watchdog minimums (the 10 × epoch rule still applies).
        if let progressTimeout {
            options.policy.progressMinimum = progressTimeout
            options.policy.firstEpochMinimum = progressTimeout
        }
        // Local workers die with their coordinator: nobody can re-adopt a trial on a private endpoint
        // (SLURM's workers outlive a coordinator that was killed, and can).
        if listen == nil && !slurm.enabled { options.policy.adoptionWindow = 0 }
        options.extraWorkerArguments = workerArg

        if slurm.enabled {
            let missing = SlurmLauncher.missingTools(ProcessCommandRunner())
            if !missing.isEmpty {
                throw exitReporting("--slurm needs sbatch, squeue and scancel on PATH; missing: \(missing.joined(separator: ", "))")
            }
        }
        // --fresh deletes the run folder: keep its job record, so the job is re-used or cancelled, never orphaned.
        let previousJob = fresh && slurm.enabled ? SlurmRun.previousRecord(options) : nil
        let setup: RunSetup
        do {
            setup = try await RunSetup.prepare(options)
        } catch let error as SweepFileError {
            throw exitReporting(error.description, code: error.exitCode)
        } catch let error as RunSetupError {
            throw exitReporting(error.message, code: error.exitCode)
        } catch let error as DatasetError {
            throw exitReporting("\(error)")
        }
        do { try OpenFileLimit.raise(toServe: OpenFileLimit.needed(workers: options.workers)) } catch let error as RunSetupError {
            throw exitReporting(error.message, code: error.exitCode)
        }
        var slurmKeys: WorkerKeyFolder?
        if slurm.enabled {
            do { slurmKeys = try SlurmRun.prepareKeys(&options, folder: setup.folder, keys: slurm.keys) } catch let error as RunSetupError {
                throw exitReporting(error.message, code: error.exitCode)
            }
        }
        let shutdown = ShutdownSignal()
        let progress = ProgressView()
        let service = try CoordinatorService(setup: setup, options: options, logger: logger, progress: progress, shutdown: shutdown)
        let endpoint: String
        do { endpoint = try service.bind() } catch let error as RunSetupError {
            throw exitReporting(error.message, code: error.exitCode)
        }
        var supervisor: LocalWorkerSupervisor?
        if options.workers > 0 {
            guard let executable = LocalWorkerSupervisor.defaultWorkerExecutable() else {
                throw CLIError.usage("no `worker` executable next to this coordinator; build it or set RNNSWEEP_WORKER_BIN")
            }
            let pid = getpid()
            let stateRoot = setup.folder.root.appendingPathComponent("workers")
            let extra = options.extraWorkerArguments
            // One worker per core: pin each to its own core when there are enough.
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let pin = options.workers <= cores
            let child = LocalWorkerSupervisor(.init(
                executable: executable,
                arguments: { index, workerID in
                    ["--connect", endpoint, "--parent-pid", "\(pid)", "--worker-id", workerID,
                     "--state-dir", stateRoot.appendingPathComponent("\(index)").path]
                    + (pin ? ["--pin", "\(index)"] : []) + extra },
                count: options.workers, logDirectory: setup.folder.logs),
                onEvent: { progress.log($0) }, onExit: { [exits = service.localWorkerExits] in exits.post($0) })
            try child.start()
            supervisor = child
        }
        var launcher: SlurmRun?
        if let settings = slurm.settings, let slurmKeys {
            do {
                launcher = try SlurmRun.start(settings, endpoint: endpoint, setup: setup, keys: slurmKeys,
                                              previous: previousJob, reports: service.jobReports)
            } catch let error as RunSetupError {
                service.recordJobReports()
                throw exitReporting(error.message, code: error.exitCode)
            }
        }
        let complete: Bool
        do { complete = try service.run() } catch {
            launcher?.finish(reason: "the coordinator failed: \(error)")
            service.recordJobReports()
            throw error
        }
        launcher?.finish(reason: complete ? "the sweep is complete" : "the coordinator is stopping", sweepComplete: complete)
        service.recordJobReports()
        supervisor?.stop(timeout: 5)
        print("results: \(setup.folder.resultsCSV.path)")
        print("report:  \(setup.folder.reportHTML.path)")
        // 3: the run folder could not be written; running the same command again resumes.
        if let reason = service.storeStopReason { throw exitReporting(reason, code: 3) }
        if !complete { throw ExitCode(130) }
    }
}
