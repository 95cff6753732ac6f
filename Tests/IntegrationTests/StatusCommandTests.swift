import Foundation
import SweepStore
import Testing

/// `coordinator status NAME` (the real binary) on a sweep.db with finished, running and queued
/// trials: counts and ETA, the five best trials, each running trial's worker, epoch and progress
/// inside it, and each worker's last sign of life, as text and as JSON (docs/status.md).
@Suite struct StatusCommandTests {
    static let now = Date()

    /// Ten trials: six done, one diverged (with the lowest loss, which must not rank), two running
    /// with batch progress, one queued; three workers, one idle and last seen five minutes ago.
    func makeStore(_ folder: URL) throws {
        let store = try SweepStore(path: folder.appendingPathComponent("runs/statusdemo/sweep.db").path)
        _ = try store.openSweep(name: "statusdemo", specHash: "h", specJSON: "{}")
        let trials = (1...10).map { i in
            NewTrial(number: i, trialID: String(format: "t%02d", i), configJSON: #"{"training":{"epochs":3}}"#,
                     grid: [GridEntry(key: "cell", value: i % 2 == 0 ? "gru" : "lstm"), GridEntry(key: "hidden_size", value: "\(16 * i)")],
                     estimatedCost: 1e9, parameters: 1000 * i)
        }
        _ = try store.insertTrials(trials)
        try store.upsertWorker(workerID: "w-1", host: "h1", cores: 1, build: "b", at: Self.now)
        try store.upsertWorker(workerID: "w-2", host: "h2", cores: 1, build: "b", at: Self.now)
        try store.upsertWorker(workerID: "w-3", host: "h3", cores: 1, build: "b", at: Self.now.addingTimeInterval(-300))
        let losses: [Double] = [2.5, 2.1, 0.5, 1.9, 2.4, 1.7, 2.0]   // t03 diverged
        for (i, loss) in losses.enumerated() {
            let id = String(format: "t%02d", i + 1)
            _ = try store.markRunning(trialID: id, workerID: "w-1", host: "h1", leaseExpiresAt: Self.now)
            _ = try store.recordResult(TrialResult(trialID: id, attempt: 1, workerID: "w-1", status: i == 2 ? .diverged : .done,
                                                   epochsRun: 3, valLoss: loss, valAccuracy: 0.5, trainingSeconds: 10,
                                                   parameters: 1000 * (i + 1), trainingFlops: 1e10, resultJSON: "{}"))
        }
        _ = try store.markRunning(trialID: "t08", workerID: "w-1", host: "h1", leaseExpiresAt: Self.now)
        _ = try store.markRunning(trialID: "t09", workerID: "w-2", host: "h2", leaseExpiresAt: Self.now)
        _ = try store.recordEpoch(trialID: "t08", attempt: 1, EpochMetrics(epoch: 1, trainLoss: 2, trainAccuracy: 0.4, valLoss: 2.1,
                                                                           valAccuracy: 0.4, valPerplexity: 8, seconds: 4,
                                                                           tokensPerSecond: 800))
        try store.recordLiveness(progress: [
            TrialProgress(trialID: "t08", attempt: 1, workerID: "w-1", epoch: 2, batch: 50, batches: 200, tokens: 3_200,
                          tokensPerSecond: 6_400, updatedAt: Self.now),
            // Elastic cores: t09's worker trains it with 2 threads. Slow enough (290 batches left at
            // 0.01 batch/s) that the sweep's ETA stays above 0 however late a loaded machine runs status.
            TrialProgress(trialID: "t09", attempt: 1, workerID: "w-2", epoch: 1, batch: 10, batches: 100, tokens: 640,
                          tokensPerSecond: 0.64, updatedAt: Self.now, threads: 2),
            // Not written: t10 is not running.
            TrialProgress(trialID: "t10", attempt: 1, workerID: "w-3", epoch: 1, batch: 1, batches: 2, tokens: 1,
                          tokensPerSecond: 1, updatedAt: Self.now),
        ], workersSeen: ["w-1": Self.now, "w-2": Self.now])
    }

    func status(_ folder: URL, _ arguments: [String], name: String) throws -> String {
        // No calibration cache: the ETA comes from this store alone.
        let child = try Child(Executables.coordinator, ["status", "statusdemo", "--runs", folder.path] + arguments,
                              in: folder, name: name, environment: ["XDG_CACHE_HOME": folder.appendingPathComponent("xdg").path])
        #expect(child.wait(seconds: 60) == 0, "status: \(child.stderr.suffix(2000))")
        return child.stdout
    }

    @Test func jsonHasCountsBestFiveRunningTrialsWithProgressAndWorkersLastSeen() throws {
        let folder = try temporaryFolder("status-json")
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeStore(folder)
        let out = try status(folder, ["--json"], name: "status-json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], "not JSON: \(out)")
        #expect(json["sweep"] as? String == "statusdemo")
        let counts = try #require(json["counts"] as? [String: Int])
        #expect(counts == ["total": 10, "done": 6, "running": 2, "queued": 1, "diverged": 1, "config_error": 0, "failed": 0, "stopped": 0])
        let eta = try #require(json["eta_seconds"] as? Double)
        #expect(eta > 0)

        let best = try #require(json["best"] as? [[String: Any]])
        #expect(best.map { $0["trial_id"] as? String } == ["t06", "t04", "t07", "t02", "t05"])
        #expect(best.map { $0["rank"] as? Int } == [1, 2, 3, 4, 5])
        #expect(best.first?["val_loss"] as? Double == 1.7)
        let grid = try #require(best.first?["grid"] as? [[String: String]])
        #expect(grid == [["key": "cell", "value": "gru"], ["key": "hidden_size", "value": "96"]])

        let running = try #require(json["running"] as? [[String: Any]])
        #expect(running.map { $0["trial_id"] as? String } == ["t08", "t09"])
        let first = try #require(running.first)
        #expect(first["worker_id"] as? String == "w-1" && first["host"] as? String == "h1")
        #expect(first["epoch"] as? Int == 2 && first["epochs"] as? Int == 3)
        #expect(first["batch"] as? Int == 50 && first["batches"] as? Int == 200)
        #expect(first["tokens_per_second"] as? Double == 6_400)
        #expect(abs((first["fraction"] as? Double ?? 0) - 1.25 / 3) < 1e-9)
        // 150 batches left in epoch 2 and 200 in epoch 3, 64 tokens each, at 6,400 tokens/s: 3.5 s
        // from when it was recorded.
        let trialETA = try #require(first["eta_seconds"] as? Double)
        #expect(trialETA <= 3.5 && trialETA >= 0)
        #expect(first["progress_at"] is String)
        #expect(running.last?["worker_id"] as? String == "w-2" && running.last?["batch"] as? Int == 10)
        #expect(running.last?["threads"] as? Int == 2 && first["threads"] == nil)

        let workers = try #require(json["workers"] as? [[String: Any]])
        #expect(workers.map { $0["worker_id"] as? String } == ["w-3", "w-1", "w-2"])
        let byID = Dictionary(uniqueKeysWithValues: workers.map { ($0["worker_id"] as? String ?? "", $0) })
        #expect(byID["w-1"]?["trial_id"] as? String == "t08")
        #expect(byID["w-3"]?["trial_id"] == nil)
        #expect((byID["w-3"]?["seconds_since_seen"] as? Double ?? 0) >= 299)
        #expect((byID["w-1"]?["seconds_since_seen"] as? Double ?? 999) < 120)
        let lastSeen = try #require(byID["w-2"]?["last_seen"] as? String)
        #expect(ISO8601DateFormatter().date(from: lastSeen) != nil)
    }

    @Test func textShowsTheSameNumbers() throws {
        let folder = try temporaryFolder("status-text")
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeStore(folder)
        let lines = try status(folder, [], name: "status-text").split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("statusdemo: 10 trials — done 6, running 2, queued 1, diverged 1, config_error 0, failed 0, stopped 0 — ETA ") == true)
        #expect(lines.contains { $0.hasPrefix("  #8 t08 attempt 1 on w-1: epoch 2/3 [#####---------------] batch 50/200, 6.4k tok/s, ETA ") })
        #expect(lines.contains { $0.hasPrefix("  #9 t09 attempt 1 on w-2 ×2: epoch 1/3 ") })
        #expect(lines.contains("best 5 by val loss:"))
        #expect(lines.contains { $0.hasPrefix("  1. #6 t06 val_loss 1.7000 acc 0.500 params 6000") && $0.hasSuffix("cell=gru hidden_size=96") })
        #expect(lines.contains { $0.hasPrefix("  w-3 on h3: idle, last seen 5m") })
        #expect(lines.contains { $0.hasPrefix("  w-2 on h2: trial t09, last seen ") })
    }
}
