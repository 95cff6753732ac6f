import Foundation
import SweepStore
import Testing

/// ASHA with the real `coordinator` and `worker` executables: trials are stopped at rungs, one is
/// promoted and resumes from its rung checkpoint, and every output shows it.
@Suite(.serialized)
struct EarlyStoppingRunTests {
    /// Three GRUs whose learning rates order their losses after one epoch: t1 best, t3 worst.
    /// Rungs at epochs 1 and 2 of 3, η = 2 (the top ⌊n/2⌋ go on), one worker in file order: t1,
    /// alone at rung 1, pauses; t2, second of two, pauses and t1 is promoted; t1, alone at rung 2,
    /// pauses again; t3, third of three at rung 1, pauses, and with nobody left to reach either
    /// rung t1 is promoted once more and finishes. t2 and t3 stay stopped at epoch 1.
    static let sweep = """
        {
          "name": "asha-run",
          "dataset": "timemachine",
          "split": { "kind": "tail", "fraction": 0.1 },
          "training": { "objective": "every-step", "sequence_length": 16, "batch_size": 8, "epochs": 3,
                        "optimizer": "adam", "clip_norm": 5, "seed": 3, "checkpoint_every": 1, "max_batches_per_epoch": 40 },
          "model": { "hidden_size": 32, "cell": "gru", "layers": 1, "fc_layers": 1 },
          "generate": { "length": 20, "prompts": ["The "], "mode": "stateful" },
          "grid": { "learning_rate": [0.02, 0.003, 0.0001] },
          "early_stopping": { "rule": "asha", "metric": "val_loss", "min_epochs": 1, "max_epochs": 3, "reduction_factor": 2 },
          "schedule": "file-order"
        }
        """

    @Test func ashaStopsTrialsAtRungsAndAPromotedTrialResumesFromItsCheckpoint() throws {
        let folder = try temporaryFolder("asha")
        defer { if ProcessInfo.processInfo.environment["KEEP"] == nil { try? FileManager.default.removeItem(at: folder) } }
        let file = folder.appendingPathComponent("asha-run.json")
        try Data(Self.sweep.utf8).write(to: file)
        let run = try Child(Executables.coordinator, ["run", file.path, "--workers", "1", "--runs", folder.path],
                            in: folder, name: "coordinator")
        let status = run.wait(seconds: 240)
        #expect(status == 0, "coordinator: \(run.stderr.suffix(3000))")
        let runFolder = folder.appendingPathComponent("runs/asha-run")
        let store = try SweepStore(path: runFolder.appendingPathComponent("sweep.db").path)
        let trials = try store.allTrials().sorted { $0.number < $1.number }
        try #require(trials.count == 3)
        let (t1, t2, t3) = (trials[0], trials[1], trials[2])
        // The premise: after one epoch the losses are ordered as the learning rates promise.
        let firstLoss = try trials.map { try #require(try store.epochs(trialID: $0.trialID).first { $0.epoch == 1 }?.valLoss) }
        try #require(firstLoss[0] < firstLoss[1] && firstLoss[1] < firstLoss[2], "epoch-1 val losses \(firstLoss)")

        #expect(t1.status == .done)
        #expect(try store.epochs(trialID: t1.trialID).map(\.epoch) == [1, 2, 3])
        // t2 and t3 stopped at rung 1 with that epoch's metrics.
        #expect(t2.status == .stopped && t3.status == .stopped)
        let t3Result = try #require(try store.result(trialID: t3.trialID))
        #expect(t3Result.status == .stopped && t3Result.epochsRun == 1 && t3Result.valLoss == firstLoss[2])
        #expect(try store.epochs(trialID: t3.trialID).map(\.epoch) == [1])
        #expect(try store.epochs(trialID: t2.trialID).map(\.epoch) == [1])
        // t1 paused at each rung and was promoted from each, resuming from that rung's checkpoint
        // under a new attempt: every epoch trained once.
        let events = try store.events(afterID: 0, limit: 100_000)
        let about = { (trial: String, kind: String) in events.filter { $0.trialID == trial && $0.kind == kind } }
        #expect(about(t1.trialID, "stopped").map { $0.message.contains("stopped at epoch 1") } == [true, false])
        #expect(about(t1.trialID, "promoted").count == 2)
        #expect(about(t2.trialID, "promoted").isEmpty && about(t3.trialID, "promoted").isEmpty)
        #expect(about(t1.trialID, "assign").contains { $0.message.contains("attempt 2") && $0.message.contains("from epoch 1") })
        #expect(about(t1.trialID, "assign").contains { $0.message.contains("attempt 3") && $0.message.contains("from epoch 2") })
        #expect(t1.attempts == 3)
        #expect(try store.epochs(trialID: t1.trialID).map(\.attempt) == [1, 2, 3])
        #expect(about(t1.trialID, "decision").count == 2)
        #expect(about(t2.trialID, "decision").count == 1)

        // Only the last column (the sample) may hold commas or line breaks, so the cells before it split plainly.
        let lines = try String(contentsOf: runFolder.appendingPathComponent("results.csv"), encoding: .utf8).components(separatedBy: "\r\n")
        let header = try #require(lines.first?.components(separatedBy: ","))
        let statusColumn = try #require(header.firstIndex(of: "status")), stoppedColumn = try #require(header.firstIndex(of: "stopped_epoch"))
        let t3Row = try #require(lines.first { $0.contains(",\(t3.trialID),") }?.components(separatedBy: ","))
        #expect(t3Row[statusColumn] == "stopped" && t3Row[stoppedColumn] == "1")
        let html = try String(contentsOf: runFolder.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains(">rungs</th>") && html.contains("1 ✗ · 1 ↑ · 2 ✗ · 2 ↑"))

        let statusRun = try Child(Executables.coordinator, ["status", "asha-run", "--runs", folder.path], in: folder, name: "status")
        #expect(statusRun.wait(seconds: 30) == 0)
        #expect(statusRun.stdout.contains("stopped \(trials.filter { $0.status == .stopped }.count)"))
    }

    /// A random search run again with more samples and `--extend`: the first trials keep their ids,
    /// numbers and results, and only the new samples are trained.
    @Test func moreSamplesWithExtendKeepTheTrainedTrials() throws {
        let folder = try temporaryFolder("samples")
        defer { if ProcessInfo.processInfo.environment["KEEP"] == nil { try? FileManager.default.removeItem(at: folder) } }
        let file = folder.appendingPathComponent("samples.json")
        func write(samples: Int) throws {
            try Data("""
                {
                  "name": "samples",
                  "dataset": "timemachine",
                  "training": { "objective": "every-step", "sequence_length": 16, "batch_size": 8, "epochs": 1,
                                "optimizer": "adam", "seed": 3, "max_batches_per_epoch": 5 },
                  "model": { "cell": "gru", "layers": 1, "fc_layers": 1 },
                  "generate": { "length": 10, "prompts": ["The "], "mode": "stateful" },
                  "search": { "samples": \(samples), "parameters": {
                    "learning_rate": { "loguniform": [0.001, 0.03] }, "hidden_size": { "qloguniform": [8, 32, 8] } } },
                  "schedule": "file-order"
                }
                """.utf8).write(to: file)
        }
        try write(samples: 2)
        let first = try Child(Executables.coordinator, ["run", file.path, "--workers", "1", "--runs", folder.path], in: folder, name: "first")
        #expect(first.wait(seconds: 120) == 0, "coordinator: \(first.stderr.suffix(2000))")
        let db = folder.appendingPathComponent("runs/samples/sweep.db").path
        let before = try SweepStore(path: db).allTrials().sorted { $0.number < $1.number }
        #expect(before.count == 2 && before.allSatisfy { $0.status == .done })
        try write(samples: 4)
        let second = try Child(Executables.coordinator, ["run", file.path, "--workers", "1", "--runs", folder.path, "--extend"],
                               in: folder, name: "second")
        #expect(second.wait(seconds: 120) == 0, "coordinator: \(second.stderr.suffix(2000))")
        let store = try SweepStore(path: db)
        let after = try store.allTrials().sorted { $0.number < $1.number }
        #expect(after.count == 4 && after.allSatisfy { $0.status == .done })
        #expect(Array(after.prefix(2)).map(\.trialID) == before.map(\.trialID))
        #expect(Array(after.prefix(2)).map(\.number) == [1, 2])
        // The kept trials were not trained again.
        #expect(Array(after.prefix(2)).allSatisfy { $0.attempts == 1 })
        let assigned = try store.events(afterID: 0, limit: 100_000).filter { $0.kind == "assign" }.compactMap(\.trialID)
        #expect(assigned.sorted() == after.map(\.trialID).sorted())
    }
}
