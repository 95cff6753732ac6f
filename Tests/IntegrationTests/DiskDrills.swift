import Foundation
import SweepTestSupport
import SweepStore
import Testing

/// The run folder on a small filesystem of the test's own (tmpfs; mounting needs root, which CI
/// has): filled up mid-sweep, and read-only at the start.
extension SweepRunTests {
    private struct Mount {
        let path: String
        init(at path: String, megabytes: Int) throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let mount = Process()
            mount.executableURL = URL(fileURLWithPath: "/bin/mount")
            mount.arguments = ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "tmpfs", path]
            try mount.run()
            mount.waitUntilExit()
            guard mount.terminationStatus == 0 else { throw CocoaError(.fileWriteNoPermission) }
            self.path = path
        }
        func remount(_ options: String) throws {
            let mount = Process()
            mount.executableURL = URL(fileURLWithPath: "/bin/mount")
            mount.arguments = ["-o", "remount,\(options)", path]
            try mount.run()
            mount.waitUntilExit()
        }
        func unmount() {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = ["-l", path]
            try? umount.run()
            umount.waitUntilExit()
        }
    }

    /// Writes zeros to `path` until the filesystem refuses (ENOSPC). Returns the bytes written.
    private func fill(_ path: String) -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 64 << 10)
        var total = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            total += n
        }
        // The last few hundred bytes too, so even SQLite's small appends fail.
        var byte: UInt8 = 0
        while write(fd, &byte, 1) == 1 { total += 1 }
        return total
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small filesystem needs root"))
    func aFullDiskStopsTheRunCleanlyAndFreeingSpaceLetsItFinish() throws {
        let folder = try temporaryFolder("diskfull")
        let mount = try Mount(at: folder.appendingPathComponent("disk").path, megabytes: 12)
        defer { mount.unmount(); try? FileManager.default.removeItem(at: folder) }
        let sweep = try SweepFiles.write(name: "diskfull", in: folder, grid: #"{"hidden_size": [32, 40, 48, 56, 64, 72]}"#,
                                         epochs: 8, batches: 30, hidden: nil, sequence: 32, batchSize: 16)
        let arguments = ["run", sweep.path, "--workers", "2", "--runs", mount.path]
        let first = try Child(Executables.coordinator, arguments + ["--store-failure-limit", "4"], in: folder, name: "coordinator-1")
        defer { first.signal(SIGKILL); _ = first.wait(seconds: 5) }
        #expect(eventually(seconds: 20) { first.stderr.contains("coordinator listening") })
        let db = mount.path + "/runs/diskfull/sweep.db"
        let store = try SweepStore(path: db)
        #expect(try eventually(seconds: 90) { try store.allTrials().contains { $0.status == .done } })
        let filler = mount.path + "/filler"
        #expect(fill(filler) > 0)

        // The coordinator notices, holds new work, and stops with status 3 naming the file and error.
        let status = first.wait(seconds: 60)
        #expect(status == 3, "coordinator: \(first.stderr.suffix(2000))")
        #expect(first.stderr.contains("cannot write \(db)"), "\(first.stderr.suffix(1500))")
        #expect(first.stderr.lowercased().contains("full") || first.stderr.contains("No space"), "\(first.stderr.suffix(1500))")
        // What was recorded is whole: the database checks out and every stored result is complete.
        let integrity = try SweepStore(path: db)
        let doneBefore = try integrity.allTrials().filter { $0.status == .done }
        #expect(!doneBefore.isEmpty)
        let resultsBefore = try doneBefore.map { try integrity.result(trialID: $0.trialID) }
        #expect(resultsBefore.allSatisfy { $0?.valLoss != nil && $0?.sample != nil })

        // Space back: the same command finishes the sweep, keeping every earlier result.
        try FileManager.default.removeItem(atPath: filler)
        let second = try Child(Executables.coordinator, arguments, in: folder, name: "coordinator-2")
        #expect(second.wait(seconds: 120) == 0, "coordinator: \(second.stderr.suffix(2000))")
        let trials = try integrity.allTrials()
        #expect(trials.count == 6 && trials.allSatisfy { $0.status == .done })
        for (trial, before) in zip(doneBefore, resultsBefore) {
            #expect(try integrity.result(trialID: trial.trialID) == before, "trial \(trial.trialID)'s result changed")
        }
        let csv = try String(contentsOfFile: mount.path + "/runs/diskfull/results.csv", encoding: .utf8)
        #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 1 + 6)
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small filesystem needs root"))
    func aWorkerWhoseDiskIsFullIsQuarantinedAndNoTrialPaysForIt() throws {
        let folder = try temporaryFolder("workerdisk")
        let mount = try Mount(at: folder.appendingPathComponent("disk").path, megabytes: 1)
        defer { mount.unmount(); try? FileManager.default.removeItem(at: folder) }
        // The worker has no copy of the dataset: it must store the coordinator's on its full disk.
        for name in ["state", "cache"] {
            try FileManager.default.createDirectory(atPath: mount.path + "/" + name, withIntermediateDirectories: true)
        }
        let noData = folder.appendingPathComponent("no-data")
        try FileManager.default.createDirectory(at: noData, withIntermediateDirectories: true)
        #expect(fill(mount.path + "/filler") > 0)
        // One attempt per trial: a single failure charged to a trial would fail it for good.
        let sweep = try SweepFiles.write(name: "workerdisk", in: folder, grid: #"{"hidden_size": [16, 24]}"#, epochs: 2,
                                         hidden: nil, maxAttempts: 1)
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "0", "--listen", "tcp://127.0.0.1:*",
                                                      "--runs", folder.path], in: folder, name: "coordinator")
        defer { run.signal(SIGKILL); _ = run.wait(seconds: 5) }
        let endpoint = try #require(listeningEndpoint(of: run), "coordinator: \(run.stderr.suffix(2000))")
        let full = try Child(Executables.worker, ["run", "--connect", endpoint, "--state-dir", mount.path + "/state"],
                             in: folder, name: "worker-full",
                             environment: ["RNNSWEEP_DATA_DIR": noData.path, "RNNSWEEP_CACHE_DIR": mount.path + "/cache"])
        defer { full.signal(SIGKILL); _ = full.wait(seconds: 5) }
        let store = try SweepStore(path: folder.appendingPathComponent("runs/workerdisk/sweep.db").path)
        #expect(try eventually(seconds: 60) {
            try store.events(kinds: ["worker"]).contains { $0.message.contains("quarantined") }
        }, "worker: \(full.stderr.suffix(1500))")
        let trials = try store.allTrials()
        let attempts = try trials.flatMap { try store.attempts(trialID: $0.trialID) }
        #expect(attempts.count >= 3 && attempts.allSatisfy { $0.outcome == "worker_fault" || $0.outcome == nil },
                "\(attempts.map { "\($0.outcome ?? "open"): \($0.message ?? "")" })")
        #expect(trials.allSatisfy { $0.status == .queued }, "\(trials.map(\.status))")

        // A worker with room finishes every trial.
        let healthy = try Child(Executables.worker, ["run", "--connect", endpoint, "--state-dir", folder.appendingPathComponent("state").path],
                                in: folder, name: "worker-healthy")
        defer { healthy.signal(SIGKILL); _ = healthy.wait(seconds: 5) }
        #expect(run.wait(seconds: 90) == 0, "coordinator: \(run.stderr.suffix(2000))")
        #expect(try store.allTrials().allSatisfy { $0.status == .done })
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small filesystem needs root"))
    func aReadOnlyRunFolderIsAClearErrorAndAWritableOneRuns() throws {
        let folder = try temporaryFolder("readonly")
        let mount = try Mount(at: folder.appendingPathComponent("disk").path, megabytes: 16)
        defer { mount.unmount(); try? FileManager.default.removeItem(at: folder) }
        let sweep = try SweepFiles.write(name: "readonly", in: folder, grid: #"{"hidden_size": [16, 24]}"#, hidden: nil)
        let arguments = ["run", sweep.path, "--workers", "2", "--runs", mount.path]
        // A first run leaves a run folder; then the filesystem turns read-only.
        let first = try Child(Executables.coordinator, arguments, in: folder, name: "coordinator-1")
        #expect(first.wait(seconds: 90) == 0)
        let more = try SweepFiles.write(name: "readonly", in: folder, grid: #"{"hidden_size": [16, 24, 32]}"#, hidden: nil)
        try mount.remount("ro")
        let refused = try Child(Executables.coordinator, ["run", more.path, "--workers", "2", "--runs", mount.path, "--extend"],
                                in: folder, name: "coordinator-2")
        let status = refused.wait(seconds: 30)
        #expect(status != nil && status != 0)
        #expect(refused.stderr.contains("coordinator: "), "\(refused.stderr)")
        #expect(refused.stderr.contains("Read-only") || refused.stderr.contains("read-only"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("Fatal error"), "\(refused.stderr)")
        try mount.remount("rw")
        let again = try Child(Executables.coordinator, ["run", more.path, "--workers", "2", "--runs", mount.path, "--extend"],
                              in: folder, name: "coordinator-3")
        #expect(again.wait(seconds: 90) == 0, "\(again.stderr.suffix(1500))")
        let store = try SweepStore(path: mount.path + "/runs/readonly/sweep.db")
        #expect(try store.allTrials().count == 3 && store.allTrials().allSatisfy { $0.status == .done })
    }
}
