import Foundation
import SweepStore
import Testing

/// The chaos drill: local workers SIGKILLed every few seconds and the coordinator SIGKILLed and
/// restarted twice, while a grid of 8 trials runs on 2 workers. The sweep must still end with one
/// row per trial, all done, and no killed trial may train again an epoch it had a checkpoint of.
extension SweepRunTests {
    private struct Kill {
        let trialID: String
        let attempt: Int
        let checkpointEpoch: Int
    }

    @Test func chaosDrillEndsWithEveryTrialDoneOnceAndNoCheckpointedEpochTrainedTwice() throws {
        let folder = try temporaryFolder("chaos")
        defer { if ProcessInfo.processInfo.environment["KEEP"] == nil { try? FileManager.default.removeItem(at: folder) } }
        let sweep = try SweepFiles.write(name: "chaos", in: folder, grid: #"{"hidden_size": [48, 64, 80, 96], "learning_rate": [0.01, 0.02]}"#,
                                         epochs: 20, batches: 80, learningRate: nil, hidden: nil, sequence: 32, batchSize: 16,
                                         maxAttempts: 30)
        let arguments = ["run", sweep.path, "--workers", "2", "--runs", folder.path]
        let db = folder.appendingPathComponent("runs/chaos/sweep.db").path
        var generator = SystemRandomNumberGenerator()
        var kills: [Kill] = []
        var latencies: [Double] = []
        var workerKills = 0

        var coordinator = try Child(Executables.coordinator, arguments, in: folder, name: "coordinator-0")
        #expect(eventually(seconds: 20) { coordinator.stderr.contains("coordinator listening") })
        let store = try SweepStore(path: db)
        let start = Date()
        for round in 0..<3 {
            // A few worker kills, each of a worker holding a trial that has a checkpoint.
            for _ in 0..<4 {
                usleep(UInt32.random(in: 1_500_000...3_000_000, using: &generator))
                let running = try store.allTrials().filter { $0.status == .running }.shuffled(using: &generator)
                guard let trial = try running.first(where: { (try store.latestCheckpoint(trialID: $0.trialID)) != nil }),
                      let worker = trial.workerID, let pid = WorkerIDs.pid(worker, coordinator: coordinator.pid) else { continue }
                kill(pid, SIGKILL)
                let killed = Date()
                workerKills += 1
                if try eventually(seconds: 10, { try store.attempts(trialID: trial.trialID).first { $0.attempt == trial.attempts }?.endedAt != nil }) {
                    latencies.append(Date().timeIntervalSince(killed))
                }
                // The process is dead: its last stored checkpoint is final for that attempt.
                if let epoch = try store.latestCheckpoint(trialID: trial.trialID)?.epoch {
                    kills.append(Kill(trialID: trial.trialID, attempt: trial.attempts, checkpointEpoch: epoch))
                }
            }
            guard round < 2 else { break }
            // Then the coordinator itself, with its workers (they die with it), and a restart.
            let workers = children(of: coordinator.pid)
            coordinator.signal(SIGKILL)
            _ = coordinator.wait(seconds: 10)
            #expect(eventually(seconds: 10) { workers.allSatisfy { !isAlive($0) } }, "workers outlived the coordinator")
            for trial in try store.allTrials() where trial.status == .running {
                if let epoch = try store.latestCheckpoint(trialID: trial.trialID)?.epoch {
                    kills.append(Kill(trialID: trial.trialID, attempt: trial.attempts, checkpointEpoch: epoch))
                }
            }
            coordinator = try Child(Executables.coordinator, arguments, in: folder, name: "coordinator-\(round + 1)")
            #expect(eventually(seconds: 20) { coordinator.stderr.contains("coordinator listening") })
        }
        let status = coordinator.wait(seconds: 300)
        #expect(status == 0, "coordinator: \(coordinator.stderr.suffix(2000))")
        let elapsed = Date().timeIntervalSince(start)

        let trials = try store.allTrials()
        #expect(trials.count == 8)
        #expect(trials.allSatisfy { $0.status == .done }, "\(trials.map { "\($0.trialID) \($0.status)" })")
        // One result per trial, and one CSV row per trial id.
        #expect(try trials.allSatisfy { try store.result(trialID: $0.trialID) != nil })
        let csv = try String(contentsOf: folder.appendingPathComponent("runs/chaos/results.csv"), encoding: .utf8)
        let rows = csv.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
        let ids = rows.map { $0.split(separator: ",")[1] }
        #expect(ids.count == 8 && Set(ids).count == 8, "results.csv trial ids: \(ids)")
        // No epoch an attempt had a checkpoint of was trained again by a later attempt.
        var retrained: [String] = []
        for kill in kills {
            for epoch in try store.epochs(trialID: kill.trialID) where epoch.epoch <= kill.checkpointEpoch && epoch.attempt > kill.attempt {
                retrained.append("\(kill.trialID) epoch \(epoch.epoch) (checkpoint \(kill.checkpointEpoch) of attempt \(kill.attempt), retrained by attempt \(epoch.attempt))")
            }
        }
        #expect(retrained.isEmpty, "\(retrained)")
        #expect(workerKills >= 8)
        #expect(latencies.allSatisfy { $0 <= 2 }, "requeue latencies \(latencies)")
        let attempts = trials.reduce(0) { $0 + $1.attempts }
        let figures = String(format: "chaos drill: %d worker kills, 2 coordinator kills survived; %d attempts for 8 trials; requeue after a worker kill %.2f s mean, %.2f s max; %d rows, %d duplicates; %.0f s",
                             workerKills, attempts, latencies.reduce(0, +) / Double(max(1, latencies.count)), latencies.max() ?? 0,
                             ids.count, ids.count - Set(ids).count, elapsed)
        print(figures)
    }
}
