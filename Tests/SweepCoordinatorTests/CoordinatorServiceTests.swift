import Foundation
import SweepCoordinator
import SweepStore
import SweepTestSupport
import SweepWorker
import Testing

@Suite(.serialized) struct CoordinatorServiceTests {
    @Test func twoWorkersFinishEveryTrialAndTheDatasetTravelsByHash() async throws {
        let harness = try ServiceHarness()
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        let a = try harness.startWorker(endpoint, name: "wa")
        let b = try harness.startWorker(endpoint, name: "wb")
        #expect(finished.wait(seconds: 30) == true)
        #expect(a.wait(seconds: 5) == .done)
        #expect(b.wait(seconds: 5) == .done)
        let store = try SweepStore(path: harness.folder.database.path)
        let trials = try store.allTrials()
        #expect(trials.count == 3)
        #expect(trials.allSatisfy { $0.status == .done && $0.attempts == 1 })
        let csv = try String(contentsOf: harness.folder.resultsCSV, encoding: .utf8)
        #expect(csv.unicodeScalars.filter { $0 == "\n" }.count == 4)
        let table = CSVTable.parse(csv)
        for column in ["status", "val_loss", "attempts", "worker_host", "parameters"] {
            let index = try #require(table.header.firstIndex(of: column), "results.csv lacks \(column)")
            #expect(table.rows.allSatisfy { !$0[index].isEmpty }, "empty \(column) cell")
        }
        let curves = try String(contentsOf: harness.folder.curvesCSV, encoding: .utf8)
        #expect(curves.unicodeScalars.filter { $0 == "\n" }.count == 1 + 3 * 3)
        let report = try String(contentsOf: harness.folder.reportHTML, encoding: .utf8)
        #expect(report.contains("tail: the last 10% of the text is validation"))
        // Each trial keeps its latest checkpoint file in the run folder.
        for trial in trials {
            let latest = try #require(try store.latestCheckpoint(trialID: trial.trialID))
            #expect(latest.epoch == 3)
            #expect(FileManager.default.fileExists(atPath: harness.folder.absolute(latest.path).path))
        }
        // Workers had no copy of the text: they fetched it from the coordinator by hash.
        let cached = try FileManager.default.contentsOfDirectory(atPath: harness.root.appendingPathComponent("workers/wa/datasets").path)
        #expect(!cached.isEmpty)
    }

    @Test func theReportIsRewrittenWhileTheSweepRuns() async throws {
        let harness = try ServiceHarness(epochSeconds: 0.3)
        harness.options.reportInterval = 0.2
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        _ = try harness.startWorker(endpoint, name: "w1")
        // Snapshots of report.html taken before the run ends: one must already show a finished
        // trial next to unfinished ones (statuses are table cells).
        var sawPartialReport = false
        while finished.wait(seconds: 0.05) == nil {
            guard let html = try? String(contentsOf: harness.folder.reportHTML, encoding: .utf8) else { continue }
            let done = html.components(separatedBy: ">done</td>").count - 1
            let unfinished = html.components(separatedBy: ">queued</td>").count + html.components(separatedBy: ">running</td>").count - 2
            // A page written mid-run reloads itself.
            if done >= 1 && unfinished >= 1 && html.contains("http-equiv=\"refresh\"") { sawPartialReport = true }
        }
        #expect(sawPartialReport, "report.html was only written at the end")
        let final = try String(contentsOf: harness.folder.reportHTML, encoding: .utf8)
        #expect(final.components(separatedBy: ">done</td>").count - 1 == 3)
        #expect(!final.contains("http-equiv=\"refresh\""))
    }

    @Test func aDivergingTrialIsRecordedAndTheSweepGoesOn() async throws {
        let harness = try ServiceHarness(grid: #"{"learning_rate": [0.01, 5.0]}"#)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        _ = try harness.startWorker(endpoint, name: "w1")
        #expect(finished.wait(seconds: 30) == true)
        let store = try SweepStore(path: harness.folder.database.path)
        let statuses = try store.allTrials().sorted { $0.number < $1.number }.map(\.status)
        #expect(statuses == [.done, .diverged])
        #expect(try store.allTrials().allSatisfy { $0.attempts == 1 })
    }

    @Test func aWorkerSpeakingAnotherVersionIsRefusedNamingBothVersions() async throws {
        let harness = try ServiceHarness()
        let (_, endpoint, finished, shutdown) = try await harness.startCoordinator()
        let old = try harness.startWorker(endpoint, name: "old", protocolVersion: 7)
        #expect(old.wait(seconds: 10) == .refused)
        shutdown.request()
        #expect(finished.wait(seconds: 10) == false)
        let store = try SweepStore(path: harness.folder.database.path)
        let events = try store.tailEvents(limit: 50).map(\.message)
        #expect(events.contains { $0.contains("protocol version 7") && $0.contains("version 2") })
    }

    @Test func aHungTrainerIsCaughtByTheWatchdogAndItsTrialRetried() async throws {
        let harness = try ServiceHarness(grid: #"{"learning_rate": [0.5]}"#)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        let hung = try harness.startWorker(endpoint, name: "hung", watchdog: 1)
        // The worker reports the hang as an infra failure and exits for its supervisor to restart.
        #expect(hung.wait(seconds: 10) == .hung)
        _ = try harness.startWorker(endpoint, name: "healthy")
        #expect(finished.wait(seconds: 30) == true)
        let store = try SweepStore(path: harness.folder.database.path)
        let trial = try #require(try store.allTrials().first)
        #expect(trial.status == .done)
        #expect(trial.attempts == 2)
        #expect(try store.attempts(trialID: trial.trialID).first?.outcome == "infra")
    }

    @Test func aLostWorkersTrialResumesFromItsCheckpointOnAnotherWorker() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#, epochs: 6, epochSeconds: 0.3, lostAfter: 2)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        // The first worker stops talking mid-trial, as if its host froze: `freeze` halts its
        // service loop without a goodbye, so the coordinator hears nothing more from it.
        let doomed = try harness.startWorker(endpoint, name: "doomed")
        let store = try SweepStore(path: harness.folder.database.path)
        let trialID = try #require(try store.allTrials().first?.trialID)
        #expect(try eventually(seconds: 10) { (try store.latestCheckpoint(trialID: trialID)?.epoch ?? 0) >= 2 })
        harness.freeze("doomed")
        _ = doomed
        _ = try harness.startWorker(endpoint, name: "rescuer")
        #expect(finished.wait(seconds: 30) == true)
        let trial = try #require(try store.trial(id: trialID))
        #expect(trial.status == .done)
        #expect(trial.attempts == 2)
        let starts = harness.trainer.firstEpochs(trialID)
        #expect(starts.first == 1)
        #expect((starts.last ?? 1) > 1)   // the second attempt did not start over
    }
}
