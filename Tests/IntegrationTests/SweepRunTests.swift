import Foundation
import SweepTestSupport
import SweepStore
import Testing

/// Real coordinator and worker processes, real sockets, real SQLite.
@Suite(.serialized)
struct SweepRunTests {
    @Test func smokeSweepWithTwoLocalWorkersWritesOneCompleteRowPerTrial() throws {
        let folder = try temporaryFolder("smoke")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = Repository.root.appendingPathComponent("sweeps/smoke.json")
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "2", "--runs", folder.path],
                            in: folder, name: "coordinator")
        let status = run.wait(seconds: 90)
        #expect(status == 0, "coordinator: \(run.stderr.suffix(2000))")
        let csv = try String(contentsOf: folder.appendingPathComponent("runs/smoke/results.csv"), encoding: .utf8)
        let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 1 + 4)
        let store = try SweepStore(path: folder.appendingPathComponent("runs/smoke/sweep.db").path)
        let header = lines[0].components(separatedBy: ",")
        for column in ["trial", "trial_id", "cell", "hidden_size", "layers", "sequence_length", "fc_layers", "objective",
                       "split", "epochs_run", "best_epoch", "train_loss", "val_loss", "val_accuracy", "val_perplexity",
                       "overfit_pct", "training_seconds", "inference_seconds_per_1000_chars", "parameters", "size_mb",
                       "macs_per_char", "tokens_per_second", "worker_host", "attempts", "status", "sample"] {
            #expect(header.contains(column), "results.csv lacks \(column)")
        }
        for trial in try store.allTrials() {
            #expect(trial.status == .done)
            let result = try #require(try store.result(trialID: trial.trialID))
            #expect(result.valLoss != nil && result.trainLoss != nil && result.valAccuracy != nil)
            #expect(result.trainingSeconds != nil && result.inferenceSecondsPer1000 != nil && result.parameters != nil)
            #expect(result.sizeMB != nil && result.macsPerChar != nil && result.tokensPerSecond != nil)
            #expect(result.workerHost != nil && !(result.sample ?? "").isEmpty)
            #expect(try store.epochs(trialID: trial.trialID).count == 3)
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("runs/smoke/report.html").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("runs/smoke/curves.csv").path))
    }

    @Test func aKilledWorkersTrialResumesFromItsCheckpointAndTheSweepCompletes() throws {
        let folder = try temporaryFolder("killworker")
        defer { if ProcessInfo.processInfo.environment["KEEP"] == nil { try? FileManager.default.removeItem(at: folder) } }
        let sweep = try SweepFiles.write(name: "killworker", in: folder, grid: #"{"hidden_size": [96, 128]}"#,
                                         epochs: 8, batches: 20, hidden: nil, sequence: 32, batchSize: 16)
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "2", "--runs", folder.path,
                                                      "--lost-after", "5"], in: folder, name: "coordinator")
        let db = folder.appendingPathComponent("runs/killworker/sweep.db").path
        // Open the store only once the coordinator has created it (its migrations are not meant to race).
        #expect(eventually(seconds: 20) { run.stderr.contains("coordinator listening") })
        let store = try SweepStore(path: db)
        // Wait until some trial has a checkpoint at epoch >= 2 and is still running, then kill its worker.
        var victim: (trialID: String, pid: Int32)?
        _ = try eventually(seconds: 60) {
            for trial in try store.allTrials() where trial.status == .running {
                guard let epoch = try store.latestCheckpoint(trialID: trial.trialID)?.epoch, epoch >= 2, epoch < 6,
                      let worker = trial.workerID, let pid = WorkerIDs.pid(worker, coordinator: run.pid) else { continue }
                victim = (trial.trialID, pid)
                return true
            }
            return false
        }
        let (trialID, pid) = try #require(victim, "no trial reached a checkpoint while running")
        let checkpointEpoch = try #require(try store.latestCheckpoint(trialID: trialID)?.epoch)
        kill(pid, SIGKILL)
        let status = run.wait(seconds: 90)
        #expect(status == 0, "coordinator: \(run.stderr.suffix(2000))")
        let trial = try #require(try store.trial(id: trialID))
        #expect(trial.status == .done)
        #expect(trial.attempts == 2)
        // Epochs up to the checkpoint were trained once, by attempt 1; the rest by attempt 2.
        let epochs = try store.epochs(trialID: trialID)
        #expect(epochs.count == 8)
        #expect(epochs.filter { $0.epoch <= checkpointEpoch }.allSatisfy { $0.attempt == 1 })
        #expect(epochs.filter { $0.epoch > checkpointEpoch + 1 }.allSatisfy { $0.attempt == 2 })
        // No trial ran twice: every other trial took one attempt, and each has exactly one result.
        for other in try store.allTrials() where other.trialID != trialID {
            #expect(other.attempts == 1 && other.status == .done)
        }
        #expect(try store.allTrials().allSatisfy { (try? store.result(trialID: $0.trialID)) != nil })
    }

    @Test func aKilledCoordinatorResumesWithoutRerunningFinishedTrials() throws {
        let folder = try temporaryFolder("killcoord")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = try SweepFiles.write(name: "killcoord", in: folder, grid: #"{"hidden_size": [64, 96, 128, 160]}"#,
                                         epochs: 4, batches: 15, hidden: nil, sequence: 32, batchSize: 16)
        let arguments = ["run", sweep.path, "--workers", "2", "--runs", folder.path, "--lost-after", "5"]
        let first = try Child(Executables.coordinator, arguments, in: folder, name: "coordinator-1")
        let db = folder.appendingPathComponent("runs/killcoord/sweep.db").path
        // Open the store only once the coordinator has created it (its migrations are not meant to race).
        #expect(eventually(seconds: 20) { first.stderr.contains("coordinator listening") })
        let store = try SweepStore(path: db)
        #expect(try eventually(seconds: 60) { try store.allTrials().contains { $0.status == .done } })
        let workers = children(of: first.pid)
        first.signal(SIGKILL)
        _ = first.wait(seconds: 5)
        // Local workers die with their coordinator (PDEATHSIG / parent watch).
        #expect(eventually(seconds: 5) { workers.allSatisfy { !isAlive($0) } }, "workers outlived the coordinator")
        let finishedBefore = try store.allTrials().filter { $0.status == .done }.map(\.trialID)
        let resultsBefore = try finishedBefore.map { try store.result(trialID: $0) }
        #expect(!finishedBefore.isEmpty)
        #expect(finishedBefore.count < 4, "the first run finished everything before it was killed; nothing was resumed")

        let second = try Child(Executables.coordinator, arguments, in: folder, name: "coordinator-2")
        let status = second.wait(seconds: 90)
        #expect(status == 0, "coordinator: \(second.stderr.suffix(2000))")
        let trials = try store.allTrials()
        #expect(trials.allSatisfy { $0.status == .done })
        for (id, before) in zip(finishedBefore, resultsBefore) {
            #expect(try store.result(trialID: id) == before, "finished trial \(id) was re-run")
            #expect(try store.attempts(trialID: id).count == 1)
        }
    }

    @Test func aMalformedSweepFileExitsTwoNamingTheField() throws {
        let folder = try temporaryFolder("malformed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = try SweepFiles.write(name: "bad", in: folder, grid: #"{"hidden_size": [16, "big"]}"#, hidden: nil)
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "0", "--runs", folder.path],
                            in: folder, name: "coordinator")
        #expect(run.wait(seconds: 30) == 2)
        #expect(run.stderr.contains("hidden_size"))
        #expect(run.stderr.contains("big"))
        #expect(run.stderr.contains("bad.json"))
    }

    @Test func aWorkerSpeakingAnotherProtocolVersionIsRefusedNamingBothVersions() throws {
        let folder = try temporaryFolder("version")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = try SweepFiles.write(name: "version", in: folder, grid: #"{"hidden_size": [16]}"#, hidden: nil)
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "0", "--listen", "tcp://127.0.0.1:*",
                                                      "--runs", folder.path], in: folder, name: "coordinator")
        defer { run.signal(SIGKILL); _ = run.wait(seconds: 5) }
        let endpoint = try #require(listeningEndpoint(of: run), "coordinator: \(run.stderr.suffix(2000))")
        let worker = try Child(Executables.worker, ["run", "--connect", endpoint, "--protocol-version", "7",
                                                    "--state-dir", folder.appendingPathComponent("w").path],
                               in: folder, name: "worker")
        #expect(worker.wait(seconds: 30) == 4)
        #expect(worker.stderr.contains("protocol version 7"))
        #expect(worker.stderr.contains("version 2"))
        run.signal(SIGTERM)
        #expect(run.wait(seconds: 15) == 130)
        #expect(run.stderr.contains("protocol version 7"))
    }

    @Test func aDivergingTrialIsRecordedAsDivergedAndTheSweepGoesOn() throws {
        let folder = try temporaryFolder("diverge")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = try SweepFiles.write(name: "diverge", in: folder, grid: #"{"learning_rate": [0.01, 1e30]}"#,
                                         epochs: 2, batches: 10, learningRate: nil)
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "2", "--runs", folder.path],
                            in: folder, name: "coordinator")
        #expect(run.wait(seconds: 60) == 0, "coordinator: \(run.stderr.suffix(2000))")
        let store = try SweepStore(path: folder.appendingPathComponent("runs/diverge/sweep.db").path)
        let statuses = try store.allTrials().sorted { $0.number < $1.number }.map(\.status)
        #expect(statuses == [.done, .diverged])
        #expect(try store.allTrials().allSatisfy { $0.attempts == 1 })
    }
}

enum WorkerIDs {
    /// The process of `coordinator`'s local worker whose socket identity is `id`
    /// (`<--worker-id>-<connection number>`), found by its command line.
    static func pid(_ id: String, coordinator: Int32) -> Int32? {
        children(of: coordinator).first { pid in
            let arguments = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")))
                .map { $0.split(separator: 0).map { String(decoding: $0, as: UTF8.self) } } ?? []
            guard let flag = arguments.firstIndex(of: "--worker-id"), flag + 1 < arguments.count else { return false }
            return id.hasPrefix(arguments[flag + 1] + "-")
        }
    }
}

/// Remote-style workers (started on their own, not by the coordinator) survive a coordinator crash.
/// In the same serialized suite as the others: trainers in parallel suites would starve each
/// other's heartbeats on 2 cores.
extension SweepRunTests {
    @Test func aRestartedCoordinatorReadoptsTrialsThatWorkersKeptTraining() throws {
        let folder = try temporaryFolder("readopt")
        defer { if ProcessInfo.processInfo.environment["KEEP"] == nil { try? FileManager.default.removeItem(at: folder) } }
        // Long enough (30 epochs) that neither trial can finish before the restarted coordinator is
        // up; a trial finished in between would arrive as an outbox result, not be re-adopted.
        let sweep = try SweepFiles.write(name: "readopt", in: folder, grid: #"{"hidden_size": [192, 256]}"#,
                                         epochs: 30, batches: 15, hidden: nil, sequence: 32, batchSize: 32)
        let options = ["--workers", "0", "--runs", folder.path, "--lost-after", "20"]
        let first = try Child(Executables.coordinator, ["run", sweep.path, "--listen", "tcp://127.0.0.1:*"] + options,
                              in: folder, name: "coordinator-1")
        // The restarted coordinator listens where the workers keep reconnecting.
        let endpoint = try #require(listeningEndpoint(of: first), "coordinator: \(first.stderr.suffix(2000))")
        let workers = try (0..<2).map { i in
            try Child(Executables.worker, ["run", "--connect", endpoint, "--silence-limit", "3.5",
                                           "--state-dir", folder.appendingPathComponent("w\(i)").path],
                      in: folder, name: "worker-\(i)")
        }
        defer { for w in workers { w.signal(SIGKILL); _ = w.wait(seconds: 5) } }
        let store = try SweepStore(path: folder.appendingPathComponent("runs/readopt/sweep.db").path)
        #expect(try eventually(seconds: 60) {
            let trials = try store.allTrials()
            return trials.count == 2 && trials.allSatisfy { ((try? store.lastEpoch(trialID: $0.trialID)) ?? nil ?? 0) >= 1 }
        })
        first.signal(SIGKILL)
        _ = first.wait(seconds: 5)
        let second = try Child(Executables.coordinator, ["run", sweep.path, "--listen", endpoint] + options,
                               in: folder, name: "coordinator-2")
        #expect(second.wait(seconds: 90) == 0, "coordinator: \(second.stderr.suffix(2000))")
        // Both trials were finished by the attempt that started before the crash.
        for trial in try store.allTrials() {
            #expect(trial.status == .done)
            #expect(trial.attempts == 1)
        }
        #expect(second.stderr.contains("re-adopted") || second.stdout.contains("re-adopted"))
        #expect(workers.allSatisfy { $0.process.isRunning }, "remote workers keep running for the next sweep")
    }

    @Test func curveKeysAdmitAllowedWorkersAndRefuseOthers() throws {
        let folder = try temporaryFolder("curve")
        defer { try? FileManager.default.removeItem(at: folder) }
        for who in ["coordinator", "good", "bad"] {
            let keygen = try Child(Executables.coordinator, ["keygen", folder.appendingPathComponent("keys/\(who)").path],
                                   in: folder, name: "keygen-\(who)")
            #expect(keygen.wait(seconds: 10) == 0)
        }
        let keys = folder.appendingPathComponent("keys")
        try FileManager.default.copyItem(at: keys.appendingPathComponent("good.pub"), to: keys.appendingPathComponent("allowed"))
        let sweep = try SweepFiles.write(name: "curve", in: folder, grid: #"{"hidden_size": [16, 24]}"#, epochs: 2, hidden: nil)
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "0", "--listen", "tcp://127.0.0.1:*",
                                                      "--runs", folder.path,
                                                      "--curve-secret-key", keys.appendingPathComponent("coordinator.key").path,
                                                      "--allow-workers", keys.appendingPathComponent("allowed").path],
                            in: folder, name: "coordinator")
        defer { run.signal(SIGKILL); _ = run.wait(seconds: 5) }
        let endpoint = try #require(listeningEndpoint(of: run), "coordinator: \(run.stderr.suffix(2000))")
        func worker(_ key: String) throws -> Child {
            try Child(Executables.worker, ["run", "--connect", endpoint,
                                           "--server-key", keys.appendingPathComponent("coordinator.pub").path,
                                           "--key", keys.appendingPathComponent("\(key).key").path,
                                           "--state-dir", folder.appendingPathComponent("state-\(key)").path],
                      in: folder, name: "worker-\(key)")
        }
        let bad = try worker("bad")
        defer { bad.signal(SIGKILL); _ = bad.wait(seconds: 5) }
        let badKey = try String(contentsOf: keys.appendingPathComponent("bad.pub"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(eventually(seconds: 20) { run.stdout.contains(badKey) || run.stderr.contains(badKey) },
                "the refused key is not in the coordinator's log")
        let good = try worker("good")
        defer { good.signal(SIGKILL); _ = good.wait(seconds: 5) }
        #expect(run.wait(seconds: 60) == 0, "coordinator: \(run.stderr.suffix(2000))")
        let store = try SweepStore(path: folder.appendingPathComponent("runs/curve/sweep.db").path)
        #expect(try store.allTrials().allSatisfy { $0.status == .done })
        #expect(try store.allWorkers().count == 1, "only the allowed worker ever joined")
    }

    @Test func aChangedSweepFileIsRefusedUnlessExtended() throws {
        let folder = try temporaryFolder("extend")
        defer { try? FileManager.default.removeItem(at: folder) }
        var sweep = try SweepFiles.write(name: "extend", in: folder, grid: #"{"hidden_size": [16]}"#, epochs: 1, hidden: nil)
        let first = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "1", "--runs", folder.path],
                              in: folder, name: "run-1")
        #expect(first.wait(seconds: 60) == 0)
        sweep = try SweepFiles.write(name: "extend", in: folder, grid: #"{"hidden_size": [16, 24]}"#, epochs: 1, hidden: nil)
        let refused = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "1", "--runs", folder.path],
                                in: folder, name: "run-2")
        #expect(refused.wait(seconds: 30) == 2)
        #expect(refused.stderr.contains("--extend") && refused.stderr.contains("--fresh"))
        let extended = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "1", "--runs", folder.path, "--extend"],
                                 in: folder, name: "run-3")
        #expect(extended.wait(seconds: 60) == 0)
        let store = try SweepStore(path: folder.appendingPathComponent("runs/extend/sweep.db").path)
        let trials = try store.allTrials()
        #expect(trials.count == 2 && trials.allSatisfy { $0.status == .done && $0.attempts == 1 })
    }
}
