import Foundation
import SweepStore
import SweepTestSupport
import Testing

/// Elastic cores end to end: a real coordinator with its two local workers (one core each,
/// pinned) and three equal trials. When the second trial ends, the third runs alone, and the idle
/// worker's core is lent to it: it trains with 2 threads, as the store, its events and
/// `coordinator status` show, and the sweep finishes with a complete row per trial.
@Suite(.serialized)
struct ElasticCoresRunTests {
    @Test func theTailTrialGrowsToTwoThreadsAndTheSweepFinishes() throws {
        let folder = try temporaryFolder("elastic")
        defer { if ProcessInfo.processInfo.environment["KEEP"] == nil { try? FileManager.default.removeItem(at: folder) } }
        let sweep = try SweepFiles.write(name: "elastic", in: folder, grid: #"{"learning_rate": [0.01, 0.011, 0.012]}"#,
                                         epochs: 6, batches: 90, learningRate: nil, hidden: 128, sequence: 32, batchSize: 32)
        // Without pausing, which would end the three trials together and leave no tail to grow into.
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "2", "--runs", folder.path, "--no-pausing"],
                            in: folder, name: "coordinator")
        defer { _ = run.wait(seconds: 0.1) }  // stops it if a check failed early
        #expect(eventually(seconds: 30) { run.stderr.contains("coordinator listening") })
        let store = try SweepStore(path: folder.appendingPathComponent("runs/elastic/sweep.db").path)

        // The stored thread count of the running tail trial reaches 2.
        var grown: String?
        _ = try eventually(seconds: 240) {
            grown = try store.runningProgress().first { $0.threads == 2 }?.trialID
            return grown != nil
        }
        let tail = try #require(grown, "no running trial was stored with 2 threads; coordinator: \(run.stderr.suffix(1500))")
        // `coordinator status` shows it, as text (×2) and as JSON.
        // Both views are read in one round, while the tail still runs (a loaded machine can be slow
        // to start a status process, so a round that misses it tries again).
        var text = "", json = ""
        func textShowsIt() -> Bool { text.split(separator: "\n").contains { $0.contains(tail) && $0.contains("×2: epoch") } }
        func jsonShowsIt() -> Bool {
            let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
            let running = object?["running"] as? [[String: Any]] ?? []
            return running.contains { $0["trial_id"] as? String == tail && $0["threads"] as? Int == 2 }
        }
        _ = try eventually(seconds: 60) {
            json = try status(folder, ["--json"], name: "status-json")
            text = try status(folder, [], name: "status-text")
            return textShowsIt() && jsonShowsIt()
        }
        #expect(textShowsIt(), "status: \(text)")
        #expect(jsonShowsIt(), "status --json: \(json)")

        #expect(run.wait(seconds: 300) == 0, "coordinator: \(run.stderr.suffix(2000))")
        // Every trial has its result; each trained once.
        let trials = try store.allTrials()
        #expect(trials.count == 3)
        for trial in trials {
            #expect(trial.status == .done && trial.attempts == 1)
            let result = try #require(try store.result(trialID: trial.trialID))
            #expect(result.valLoss != nil && result.trainLoss != nil && result.epochsRun == 6)
            #expect(try store.epochs(trialID: trial.trialID).count == 6)
        }
        // The events: the tail trial was told to use 2 threads on both cpus, and confirmed it; no
        // command ever asked for more threads than the host's 2 cores.
        let events = try store.tailEvents(limit: 1000)
        let commands = events.filter { $0.kind == "threads" }
        #expect(commands.contains { $0.trialID == tail && $0.message.contains("1 → 2 threads") }, "events: \(commands.map(\.message))")
        #expect(commands.allSatisfy { !$0.message.contains("→ 3") })
        #expect(events.contains { $0.kind == "threads_applied" && $0.trialID == tail && $0.message.contains("trains with 2 threads") })
        // Only the tail ran alone: the first two trials kept one thread.
        #expect(Set(commands.compactMap(\.trialID)) == [tail])
    }

    func status(_ folder: URL, _ arguments: [String], name: String) throws -> String {
        let child = try Child(Executables.coordinator, ["status", "elastic", "--runs", folder.path] + arguments,
                              in: folder, name: name, environment: ["XDG_CACHE_HOME": folder.appendingPathComponent("xdg").path])
        _ = child.wait(seconds: 60)
        return child.stdout
    }
}
