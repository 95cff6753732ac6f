import Foundation
import SweepTestSupport
import SweepStore
import Testing

/// Local workers killed from outside. In the serialized suite: trainers in parallel suites would
/// starve each other's heartbeats on 2 cores.
extension SweepRunTests {
    /// The running trial with a checkpoint at epoch >= `epoch`, and its worker's process.
    private func runningTrial(in store: SweepStore, coordinator: Int32, atLeast epoch: Int) throws -> (trialID: String, pid: Int32)? {
        for trial in try store.allTrials() where trial.status == .running {
            guard let latest = try store.latestCheckpoint(trialID: trial.trialID)?.epoch, latest >= epoch,
                  let worker = trial.workerID, let pid = WorkerIDs.pid(worker, coordinator: coordinator) else { continue }
            return (trial.trialID, pid)
        }
        return nil
    }

    /// A killed local worker is known dead from its exit: its trial is requeued at once, not after
    /// the 30 s lease, and the replacement process keeps working (it used to be killed seconds
    /// after it started, by a parent-death signal tied to a thread-pool thread).
    @Test func aKilledLocalWorkersTrialIsRequeuedAtOnceAndItsReplacementKeepsWorking() throws {
        let folder = try temporaryFolder("localkill")
        defer { if ProcessInfo.processInfo.environment["KEEP"] == nil { try? FileManager.default.removeItem(at: folder) } }
        // One trial far longer than the test: it is still training when the test ends it.
        let sweep = try SweepFiles.write(name: "localkill", in: folder, grid: #"{"hidden_size": [64]}"#,
                                         epochs: 10_000, batches: 10, hidden: nil, sequence: 32, batchSize: 16)
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "1", "--runs", folder.path],
                            in: folder, name: "coordinator")
        defer { run.signal(SIGKILL); _ = run.wait(seconds: 5) }
        #expect(eventually(seconds: 20) { run.stderr.contains("coordinator listening") })
        let store = try SweepStore(path: folder.appendingPathComponent("runs/localkill/sweep.db").path)
        var victim: (trialID: String, pid: Int32)?
        _ = try eventually(seconds: 60) {
            victim = try runningTrial(in: store, coordinator: run.pid, atLeast: 2)
            return victim != nil
        }
        let (trialID, pid) = try #require(victim, "the trial never reached a checkpoint")
        let killed = Date()
        kill(pid, SIGKILL)
        // The first attempt is closed and the trial requeued as soon as the exit is seen.
        #expect(try eventually(seconds: 10) { try store.attempts(trialID: trialID).first?.endedAt != nil })
        let latency = Date().timeIntervalSince(killed)
        print("local worker killed: trial \(trialID) requeued after \(String(format: "%.2f", latency)) s")
        #expect(latency <= 2, "requeued after \(latency) s")
        #expect(try store.attempts(trialID: trialID).first?.outcome == "lost")

        // The replacement takes the trial over (attempt 2) and is alive and training a minute later.
        var replacement: Int32?
        _ = try eventually(seconds: 30) {
            guard let trial = try store.trial(id: trialID), trial.status == .running, trial.attempts == 2,
                  let worker = trial.workerID else { return false }
            replacement = WorkerIDs.pid(worker, coordinator: run.pid)
            return replacement != nil
        }
        let second = try #require(replacement, "no replacement worker took the trial")
        #expect(second != pid)
        let epochsBefore = try store.epochs(trialID: trialID).filter { $0.attempt == 2 }.count
        usleep(60_000_000)
        #expect(isAlive(second), "the replacement worker died: \(run.stderr.suffix(1500))")
        let trial = try #require(try store.trial(id: trialID))
        #expect(trial.status == .running && trial.attempts == 2, "attempts: \(trial.attempts)")
        #expect(try store.epochs(trialID: trialID).filter { $0.attempt == 2 }.count > epochsBefore + 5,
                "the replacement stopped training")
        // The coordinator kept up with an epoch and a checkpoint every ~40 ms: the worker never
        // lost it and reconnected (which drops what was in flight).
        let log = (try? String(contentsOf: folder.appendingPathComponent("runs/localkill/logs/worker-0.log"), encoding: .utf8)) ?? ""
        #expect(!log.contains("coordinator unreachable"), "\(log.suffix(1500))")
        run.signal(SIGTERM)
        #expect(run.wait(seconds: 20) == 130)
    }

    /// A trial out of attempts is `failed`; running the same command again leaves it so, and
    /// `--retry-failed` trains it again from its checkpoint, keeping every finished trial.
    @Test func retryFailedRequeuesOnlyFailedTrialsAndResumesThem() throws {
        let folder = try temporaryFolder("retry")
        defer { if ProcessInfo.processInfo.environment["KEEP"] == nil { try? FileManager.default.removeItem(at: folder) } }
        let sweep = try SweepFiles.write(name: "retry", in: folder, grid: #"{"hidden_size": [64, 48]}"#,
                                         epochs: 12, batches: 10, hidden: nil, sequence: 32, batchSize: 16, maxAttempts: 1)
        let arguments = ["run", sweep.path, "--workers", "1", "--runs", folder.path]
        let first = try Child(Executables.coordinator, arguments, in: folder, name: "coordinator-1")
        #expect(eventually(seconds: 20) { first.stderr.contains("coordinator listening") })
        let store = try SweepStore(path: folder.appendingPathComponent("runs/retry/sweep.db").path)
        var victim: (trialID: String, pid: Int32)?
        _ = try eventually(seconds: 60) {
            victim = try runningTrial(in: store, coordinator: first.pid, atLeast: 3)
            return victim != nil
        }
        let (trialID, pid) = try #require(victim, "no trial reached a checkpoint")
        kill(pid, SIGKILL)
        #expect(first.wait(seconds: 90) == 0, "coordinator: \(first.stderr.suffix(2000))")
        #expect(try store.trial(id: trialID)?.status == .failed)
        let checkpoint = try #require(try store.latestCheckpoint(trialID: trialID)?.epoch)
        let other = try #require(try store.allTrials().first { $0.trialID != trialID })
        #expect(other.status == .done)
        let otherResult = try store.result(trialID: other.trialID)

        let again = try Child(Executables.coordinator, arguments, in: folder, name: "coordinator-2")
        #expect(again.wait(seconds: 30) == 0)
        #expect(try store.trial(id: trialID)?.status == .failed, "a plain re-run retried a failed trial")

        let retry = try Child(Executables.coordinator, arguments + ["--retry-failed"], in: folder, name: "coordinator-3")
        #expect(retry.wait(seconds: 90) == 0, "coordinator: \(retry.stderr.suffix(2000))")
        let trial = try #require(try store.trial(id: trialID))
        #expect(trial.status == .done)
        #expect(trial.attempts == 2)
        // It resumed: epochs up to the checkpoint are attempt 1's, none of them trained again.
        let epochs = try store.epochs(trialID: trialID)
        #expect(epochs.count == 12)
        #expect(epochs.filter { $0.epoch <= checkpoint }.allSatisfy { $0.attempt == 1 })
        #expect(epochs.filter { $0.epoch > checkpoint }.allSatisfy { $0.attempt == 2 })
        #expect(try store.result(trialID: other.trialID) == otherResult)
        #expect(try store.attempts(trialID: other.trialID).count == 1)

        let badFlags = try Child(Executables.coordinator, arguments + ["--retry-config-errors"], in: folder, name: "coordinator-4")
        #expect(badFlags.wait(seconds: 30) != 0)
        #expect(badFlags.stderr.contains("--retry-failed"))
    }

    /// A local worker killed while it holds trials behind its running one (prefetch, SPEC.md §3.5):
    /// the running trial is charged (with one attempt allowed, it fails), the held ones go back to
    /// the queue uncharged and are trained by the others, and the sweep finishes.
    @Test func aWorkerKilledWhileHoldingTrialsGivesThemBackUncharged() throws {
        let folder = try temporaryFolder("heldkill")
        defer { if ProcessInfo.processInfo.environment["KEEP"] == nil { try? FileManager.default.removeItem(at: folder) } }
        let seeds = (1...3000).map(String.init).joined(separator: ",")
        let file = folder.appendingPathComponent("heldkill.json")
        try Data("""
            {"name": "heldkill", "dataset": "nextchar", "split": {"kind": "tail", "fraction": 0.1},
             "training": {"objective": "every-step", "sequence_length": 16, "batch_size": 8, "epochs": 1, "max_batches_per_epoch": 1,
                          "learning_rate": 0.01, "optimizer": "adam", "checkpoint_every": 1, "max_attempts": 1},
             "model": {"cell": "gru", "layers": 1, "hidden_size": 8, "fc_layers": 1},
             "generate": {"length": 0}, "grid": {"seed": [\(seeds)]}, "schedule": "file-order"}
            """.utf8).write(to: file)
        let run = try Child(Executables.coordinator, ["run", file.path, "--workers", "2", "--runs", folder.path],
                            in: folder, name: "coordinator")
        defer { run.signal(SIGKILL); _ = run.wait(seconds: 5) }
        #expect(eventually(seconds: 30) { run.stderr.contains("coordinator listening") })
        let store = try SweepStore(path: folder.appendingPathComponent("runs/heldkill/sweep.db").path)
        // A worker with more than one trial leased: it trains one and holds the others.
        var victim: Int32?
        _ = try eventually(seconds: 60) {
            let byWorker = Dictionary(grouping: try store.allTrials().filter { $0.status == .running }, by: { $0.workerID ?? "" })
            guard let (worker, _) = byWorker.first(where: { !$0.key.isEmpty && $0.value.count >= 2 }) else { return false }
            victim = WorkerIDs.pid(worker, coordinator: run.pid)
            return victim != nil
        }
        let pid = try #require(victim, "no worker ever held a trial: \(run.stderr.suffix(1500))")
        kill(pid, SIGKILL)
        #expect(run.wait(seconds: 300) == 0, "coordinator: \(run.stderr.suffix(2000))")

        let trials = try store.allTrials()
        #expect(trials.count == 3000)
        // Only what the killed worker was training is charged.
        #expect(trials.filter { $0.status == .failed }.count <= 1)
        #expect(trials.filter { $0.status != .done && $0.status != .failed }.isEmpty)
        let givenBack = try store.events(afterID: 0, limit: 1_000_000)
            .filter { $0.kind == "requeue" && $0.message.contains("held the trial behind its running one") }
        #expect(!givenBack.isEmpty)
        for event in givenBack {
            let trial = try #require(try store.trial(id: event.trialID ?? ""))
            #expect(trial.status == .done && trial.attempts == 2, "trial \(trial.trialID): \(trial.status) after \(trial.attempts) attempts")
            #expect(try store.attempts(trialID: trial.trialID).first?.outcome == "lost")
        }
    }
}
