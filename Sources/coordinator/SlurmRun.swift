import Foundation
import SweepCoordinator
import SweepCore

/// The SLURM side of `coordinator run --slurm`: keys, the job, its watcher, and its end.
struct SlurmRun {
    let launcher: SlurmLauncher
    let watcher: SlurmWatcher

    /// The job record of the run folder `--fresh` is about to delete.
    static func previousRecord(_ options: CoordinatorOptions) -> SlurmJobRecord? {
        guard let sweep = try? SweepFile(contentsOf: options.sweepFile, file: options.sweepFile.relativePath) else { return nil }
        return try? SlurmJobRecord.read(SlurmJobRecord.url(in: RunFolder(sweepName: sweep.name, base: options.base)))
    }

    /// The run's own CURVE keys: the coordinator listens with them, the workers connect with them.
    static func prepareKeys(_ options: inout CoordinatorOptions, folder: RunFolder, keys: String?) throws -> WorkerKeyFolder {
        let keyFolder = WorkerKeyFolder(folder: keys.map { URL(fileURLWithPath: $0) } ?? folder.root.appendingPathComponent("keys"))
        try keyFolder.prepare()
        options.curveSecretKeyFile = keyFolder.coordinatorKey
        options.allowedWorkerKeysFile = keyFolder.allowedWorkers
        return keyFolder
    }

    /// Submits (or re-uses) the job and starts watching it.
    static func start(_ settings: SlurmSettings, endpoint: String, setup: RunSetup, keys: WorkerKeyFolder,
                      previous: SlurmJobRecord?, reports: JobReports) throws -> SlurmRun {
        guard let worker = LocalWorkerSupervisor.defaultWorkerExecutable() else {
            throw RunSetupError("no `worker` executable next to this coordinator; build it or set RNNSWEEP_WORKER_BIN")
        }
        let job = SlurmWorkerJob(sweepName: setup.sweep.name, workerExecutable: worker.path,
                                 endpoint: AdvertisedEndpoint.from(bound: endpoint),
                                 serverPublicKeyFile: keys.coordinatorPublic.path, workerKeyFile: keys.workerKey.path,
                                 stateRoot: setup.folder.root.appendingPathComponent("workers").path,
                                 logFolder: setup.folder.logs.path,
                                 scriptFile: setup.folder.root.appendingPathComponent("slurm-workers.sh").path)
        let recordFile = SlurmJobRecord.url(in: setup.folder)
        // After --fresh the old job's workers hold keys that no longer exist: cancel it, never re-use it.
        if let previous, !FileManager.default.fileExists(atPath: recordFile.path) {
            do { try previous.write(to: recordFile) } catch {
                throw RunSetupError("cannot keep the record of SLURM job \(previous.jobID) to cancel it: \(recordFile.path): \(error)")
            }
        }
        let launcher = SlurmLauncher(settings: settings, job: job, recordFile: recordFile, reports: reports)
        try launcher.start(mayReuse: previous == nil)
        let watcher = SlurmWatcher(launcher: launcher)
        watcher.start()
        return SlurmRun(launcher: launcher, watcher: watcher)
    }

    /// Stops watching and cancels the job.
    func finish(reason: String, sweepComplete: Bool = false) {
        watcher.stop()
        launcher.finish(reason: reason, sweepComplete: sweepComplete)
    }
}
