import Foundation
import Testing
@testable import SweepCoordinator

@Suite struct SlurmLauncherTests {
    final class Fixture {
        let folder: URL
        let slurm = FakeSlurm()
        var settings = SlurmSettings(tasks: 2, partition: "short", timeLimit: "30", extraArguments: ["--account=lab"])
        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            settings.resubmitDelay = 3
            settings.cancelWait = 5
            settings.exitWait = 5
        }
        deinit { try? FileManager.default.removeItem(at: folder) }
        var record: URL { folder.appendingPathComponent("slurm-job.json") }
        func job(endpoint: String = "tcp://head:5555") -> SlurmWorkerJob {
            SlurmWorkerJob(sweepName: "smoke", workerExecutable: "/opt/rns/bin/worker", endpoint: endpoint,
                           serverPublicKeyFile: folder.appendingPathComponent("keys/coordinator.pub").path,
                           workerKeyFile: folder.appendingPathComponent("keys/it's worker.key").path,
                           stateRoot: folder.appendingPathComponent("workers").path,
                           logFolder: folder.appendingPathComponent("logs").path,
                           scriptFile: folder.appendingPathComponent("slurm-workers.sh").path)
        }
        func launcher(endpoint: String = "tcp://head:5555") -> SlurmLauncher {
            SlurmLauncher(settings: settings, job: job(endpoint: endpoint), recordFile: record, runner: slurm,
                          now: { [slurm] in slurm.now })
        }
    }

    @Test func submitsOneJobOfWorkerTasksThatExitWhenTheSweepIsDone() throws {
        let f = try Fixture()
        let launcher = f.launcher()
        try launcher.start()
        let sbatch = try #require(f.slurm.commands("sbatch").first)
        #expect(sbatch == ["sbatch", "--parsable", "--job-name=rnnsweep-workers", "--ntasks=2", "--cpus-per-task=1",
                           "--output=\(f.folder.path)/logs/slurm-%j.out", "--partition=short", "--time=30", "--account=lab",
                           "\(f.folder.path)/slurm-workers.sh"])
        let script = try String(contentsOf: f.folder.appendingPathComponent("slurm-workers.sh"), encoding: .utf8)
        #expect(script.hasPrefix("#!/bin/bash\n"))
        #expect(script.contains("exec srun --kill-on-bad-exit=0 bash -c 'exec \"$0\" run --connect \"$1\" --server-key \"$2\" --key \"$3\" --exit-when-done --state-dir \"$4/slurm-$SLURM_JOB_ID-$SLURM_PROCID\"'"))
        // Paths are single-quoted for the shell, quotes inside them escaped.
        #expect(script.contains("'/opt/rns/bin/worker' 'tcp://head:5555' "))
        #expect(script.contains("keys/it'\\''s worker.key'"))
        #expect(launcher.jobID == "7")
        let record = try #require(try SlurmJobRecord.read(f.record))
        #expect(record.jobID == "7" && record.endpoint == "tcp://head:5555" && record.tasks == 2 && record.state == "PENDING")
        #expect(launcher.reports.take().contains { $0.hasPrefix("submitted SLURM job 7: 2 worker task(s) connecting to tcp://head:5555") })
        #expect(launcher.reports.line == "SLURM job 7: PENDING, 2 task(s)")
    }

    @Test func stateChangesAndSlurmsReasonsAreReportedOnce() throws {
        let f = try Fixture()
        let launcher = f.launcher()
        try launcher.start()
        _ = launcher.reports.take()
        f.slurm.set("7", "PENDING|Resources")
        launcher.poll()
        launcher.poll()
        f.slurm.set("7", "RUNNING|None")
        launcher.poll()
        #expect(launcher.reports.take() == ["SLURM job 7: PENDING (Resources)", "SLURM job 7: RUNNING"])
        #expect(launcher.reports.line == "SLURM job 7: RUNNING, 2 task(s)")
        #expect(try SlurmJobRecord.read(f.record)?.state == "RUNNING")
    }

    @Test func aJobThatEndsWhileTheSweepRunsIsReportedAndResubmitted() throws {
        let f = try Fixture()
        let launcher = f.launcher()
        try launcher.start()
        f.slurm.set("7", "RUNNING|None")
        launcher.poll()
        f.slurm.set("7", "CANCELLED|None")
        launcher.poll()
        let events = launcher.reports.take()
        #expect(events.last?.hasPrefix("SLURM job 7 ended: CANCELLED while the sweep runs; its trials resume elsewhere; resubmitting") == true)
        launcher.poll()   // before the delay: nothing yet
        #expect(f.slurm.commands("sbatch").count == 1)
        f.slurm.advance(3)
        launcher.poll()
        #expect(f.slurm.commands("sbatch").count == 2)
        #expect(launcher.jobID == "8")
        #expect(try SlurmJobRecord.read(f.record)?.jobID == "8")
    }

    @Test func aJobThatCannotStartIsReportedWithSlurmsReasonAndNotRetriedForever() throws {
        let f = try Fixture()
        f.settings.maxShortJobsInARow = 2
        f.settings.resubmitDelay = 0
        let launcher = f.launcher()
        try launcher.start()
        for _ in 0..<6 {
            if let id = launcher.jobID { f.slurm.set(id, "FAILED|NonZeroExitCode") }
            launcher.poll()
            launcher.poll()
        }
        #expect(f.slurm.commands("sbatch").count == 3)
        let events = launcher.reports.take()
        #expect(events.contains { $0.hasPrefix("SLURM job 7 ended: FAILED (NonZeroExitCode) while the sweep runs") })
        #expect(events.contains { $0.hasPrefix("SLURM job 9 ended: FAILED (NonZeroExitCode); not resubmitting: 3 jobs in a row ended within 60 s") })
    }

    @Test func sbatchRefusalStopsTheRunWithSlurmsMessage() throws {
        let f = try Fixture()
        f.slurm.sbatchAnswer = CommandResult(status: 1, stderr: "sbatch: error: invalid partition specified: short\n")
        let error = #expect(throws: RunSetupError.self) { try f.launcher().start() }
        #expect(error?.message == "sbatch refused the worker job (exit 1): sbatch: error: invalid partition specified: short")
        f.slurm.sbatchAnswer = CommandResult(status: 0, stdout: "Submitted batch job 12\n")
        let garbled = #expect(throws: RunSetupError.self) { try f.launcher().start() }
        #expect(garbled?.message.hasPrefix("sbatch printed no job id") == true)
    }

    @Test func finishCancelsAnActiveJobAndWaitsUntilItLeavesTheQueue() throws {
        let f = try Fixture()
        let launcher = f.launcher()
        try launcher.start()
        f.slurm.set("7", "RUNNING|None")
        launcher.finish(reason: "the coordinator is stopping")
        #expect(f.slurm.commands("scancel") == [["scancel", "7"]])
        #expect(f.slurm.state("7") == "CANCELLED|None")
        #expect(launcher.reports.take().contains("cancelled SLURM job 7: the coordinator is stopping"))
        #expect(try SlurmJobRecord.read(f.record)?.state == "CANCELLED")
    }

    @Test func afterACompleteSweepWorkersThatExitByThemselvesAreNotCancelled() throws {
        let f = try Fixture()
        let launcher = f.launcher()
        try launcher.start()
        f.slurm.set("7", "RUNNING|None")
        // The workers leave on BYE sweep_complete: the job completes two polls later.
        let polls = Counter()
        f.slurm.onSqueue = { [slurm = f.slurm] id in if polls.next() >= 2 { slurm.set(id, "COMPLETED|None") } }
        launcher.finish(reason: "the sweep is complete", sweepComplete: true)
        #expect(f.slurm.commands("scancel").isEmpty)
        #expect(launcher.reports.take().contains("SLURM job 7 ended by itself: COMPLETED"))
        #expect(try SlurmJobRecord.read(f.record)?.state == "COMPLETED")
    }

    @Test func workersThatStayAfterACompleteSweepAreCancelled() throws {
        let f = try Fixture()
        let launcher = f.launcher()
        try launcher.start()
        f.slurm.set("7", "RUNNING|None")
        launcher.finish(reason: "the sweep is complete", sweepComplete: true)
        #expect(f.slurm.commands("scancel") == [["scancel", "7"]])
    }

    @Test func aRerunReusesItsQueuedJobAndCancelsOneForAnotherEndpoint() throws {
        let f = try Fixture()
        try f.launcher().start()
        f.slurm.set("7", "RUNNING|None")
        let again = f.launcher()
        try again.start()
        #expect(again.jobID == "7")
        #expect(f.slurm.commands("sbatch").count == 1)
        #expect(again.reports.take().contains("re-using SLURM job 7 of the previous run: RUNNING"))

        let moved = f.launcher(endpoint: "tcp://head:6000")
        try moved.start()
        #expect(f.slurm.commands("scancel") == [["scancel", "7"]])
        #expect(moved.jobID == "8")

        // After --fresh (new keys) a matching job is cancelled, not re-used.
        f.slurm.set("8", "RUNNING|None")
        let fresh = f.launcher(endpoint: "tcp://head:6000")
        try fresh.start(mayReuse: false)
        #expect(f.slurm.commands("scancel") == [["scancel", "7"], ["scancel", "8"]])
        #expect(fresh.jobID == "9")

        // SLURM handed the id to someone else's job: it is left alone, not cancelled or re-used.
        f.slurm.reassign("9", script: "another-users-job.sh")
        f.slurm.set("9", "RUNNING|None")
        let reassigned = f.launcher(endpoint: "tcp://head:7000")
        try reassigned.start()
        #expect(f.slurm.commands("scancel").count == 2)
        #expect(reassigned.jobID == "10")
        #expect(reassigned.reports.take().first == "SLURM job 9 of the previous run's record now runs another-users-job.sh; left alone")

        // A job the queue no longer lists is not re-used either.
        f.slurm.set("10", "COMPLETED|None")
        let later = f.launcher(endpoint: "tcp://head:7000")
        try later.start()
        #expect(later.jobID == "11")
    }

    @Test func squeueFailuresKeepTheLastStateAndSayWhy() throws {
        let f = try Fixture()
        let launcher = f.launcher()
        try launcher.start()
        f.slurm.set("7", "RUNNING|None")
        launcher.poll()
        f.slurm.set("7", "<html>")
        launcher.poll()
        #expect(launcher.state.name == "RUNNING")
        #expect(launcher.reports.line?.hasPrefix("SLURM job 7: RUNNING (squeue failed") == true)
        #expect(f.slurm.commands("sbatch").count == 1)
    }

    @Test func missingToolsAreNamed() {
        let slurm = FakeSlurm()
        slurm.installed = ["sbatch"]
        #expect(SlurmLauncher.missingTools(slurm) == ["squeue", "scancel"])
    }

    @Test func slurmOutputIsCheckedBeforeUse() {
        #expect(SlurmOutput.jobID(fromSbatch: "123\n") == "123")
        #expect(SlurmOutput.jobID(fromSbatch: "123;cluster\n") == "123")
        #expect(SlurmOutput.jobID(fromSbatch: "Submitted batch job 5") == nil)
        #expect(SlurmOutput.jobID(fromSbatch: "12a") == nil)
        #expect(SlurmOutput.state(fromSqueue: "PENDING|Resources\n") == SlurmJobState(name: "PENDING", reason: "Resources"))
        #expect(SlurmOutput.state(fromSqueue: "RUNNING|None|/runs/a|b/slurm-workers.sh\n")
                == SlurmJobState(name: "RUNNING", command: "/runs/a|b/slurm-workers.sh"))
        #expect(SlurmOutput.state(fromSqueue: "RUNNING|None") == SlurmJobState(name: "RUNNING"))
        #expect(SlurmOutput.state(fromSqueue: "") == .gone)
        #expect(SlurmOutput.state(fromSqueue: "running|x") == nil)
        #expect(SlurmOutput.state(fromSqueue: "FAILED|bad\u{1B}[2Jreason")?.reason == "bad[2Jreason")
        #expect(SlurmOutput.isUnknownJob(CommandResult(status: 1, stderr: "slurm_load_jobs error: Invalid job id specified")))
        #expect(SlurmJobState(name: "COMPLETING").isActive && !SlurmJobState(name: "TIMEOUT").isActive && !SlurmJobState.gone.isActive)
    }

    @Test func aDamagedJobRecordIsAnErrorNamingTheFieldAndValue() throws {
        let f = try Fixture()
        try Data(#"{"job_id":"7; rm -rf /","endpoint":"tcp://h:1","tasks":2,"state":"RUNNING","updated":1}"#.utf8).write(to: f.record)
        let error = #expect(throws: RunSetupError.self) { try SlurmJobRecord.read(f.record) }
        #expect(error?.message.contains("field job_id has an invalid value \"7; rm -rf /\"") == true)
        try Data(#"{"job_id":"7","endpoint":"tcp://h:1","tasks":0,"state":"RUNNING","updated":1}"#.utf8).write(to: f.record)
        #expect(throws: RunSetupError.self) { try SlurmJobRecord.read(f.record) }
        try Data("not json".utf8).write(to: f.record)
        #expect(throws: RunSetupError.self) { try SlurmJobRecord.read(f.record) }
    }

    @Test func theRunsKeyFolderIsPrivateAndReused() throws {
        let f = try Fixture()
        let keys = WorkerKeyFolder(folder: f.folder.appendingPathComponent("keys"))
        try keys.prepare()
        let first = try CurveKeyFiles.readKeyPair(keys.workerKey)
        for url in [keys.coordinatorKey, keys.coordinatorPublic, keys.workerKey, keys.allowedWorkers] {
            let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(url.lastPathComponent)")
        }
        #expect(try FileManager.default.attributesOfItem(atPath: keys.folder.path)[.posixPermissions] as? Int == 0o700)
        try keys.prepare()
        #expect(try CurveKeyFiles.readKeyPair(keys.workerKey) == first)
        try Data("public \(String(repeating: "x", count: 40))\n".utf8).write(to: keys.allowedWorkers)
        #expect(throws: RunSetupError.self) { try keys.prepare() }
    }
}

/// A thread-safe counter for fake hooks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}
