import Foundation
import Testing
import SweepStore
import SweepTestSupport
import TrialSpec

/// The live exports read only the trials that changed, and still write exactly what a full export
/// of the same store writes.
@Suite struct LiveExportTests {
    private func epoch(_ store: SweepStore, _ trialID: String, attempt: Int, _ epoch: Int, val: Double) throws {
        try store.recordEpoch(trialID: trialID, attempt: attempt, EpochMetrics(
            epoch: epoch, trainLoss: val + 0.25, trainAccuracy: 0.5, valLoss: val, valAccuracy: 0.5, valPerplexity: exp(val),
            seconds: 1.5, tokensPerSecond: 100))
    }

    /// Live files in `live/`, full ones in `full/`: equal byte for byte.
    private func expectSameFiles(_ store: SweepStore, _ exports: LiveExports, _ folder: TemporaryFolder, _ step: String) throws {
        try exports.write(to: folder.file("live"))
        try store.exportAll(to: folder.file("full"))
        for name in ["results.csv", "curves.csv"] {
            let live = try String(contentsOfFile: folder.file("live/" + name), encoding: .utf8)
            let full = try String(contentsOfFile: folder.file("full/" + name), encoding: .utf8)
            #expect(live == full, "\(name) after \(step)")
        }
    }

    private func makeFolders(_ folder: TemporaryFolder) throws {
        for name in ["live", "full"] {
            try FileManager.default.createDirectory(atPath: folder.file(name), withIntermediateDirectories: true)
        }
    }

    @Test func aSeededSequenceOfTransitionsKeepsTheLiveFilesEqualToAFullExport() throws {
        try withStore { store, folder in
            try makeFolders(folder)
            let exports = store.liveExports()
            try store.insertTrials((1...40).map { shakespeareTrial($0, cell: $0 % 2 == 0 ? "gru" : "lstm", hidden: 128 << ($0 % 3)) })
            try expectSameFiles(store, exports, folder, "inserting 40 trials")
            var random = SplitMix64(seed: 0x11FE)
            var attempts: [String: Int] = [:]
            var epochs: [String: Int] = [:]
            var extended = 40
            var seen = Set<String>()
            for step in 0..<300 {
                let id = "t\(1 + Int(random.next() % UInt64(extended)))"
                let trial = try #require(try store.trial(id: id))
                var action = ""
                switch (trial.status, random.next() % 8) {
                case (.queued, _):
                    try store.markRunning(trialID: id, workerID: "w1", host: "host-\(step % 3)", leaseExpiresAt: time(600))
                    attempts[id, default: 0] += 1
                    action = "running"
                case (.running, 0...3):
                    epochs[id, default: 0] += 1
                    try epoch(store, id, attempt: attempts[id] ?? 1, epochs[id] ?? 1, val: 2 - Double(step) / 1000)
                    action = "epoch"
                case (.running, 4):
                    #expect(try store.recordResult(doneResult(id, attempt: attempts[id] ?? 1, valLoss: 1 + Double(step) / 1000,
                                                              sample: "KING, \"\(step)\"\nsaid")) == .recorded)
                    action = "result"
                case (.running, 5):
                    _ = try store.requeue(trialID: id)
                    action = "requeue"
                case (.running, 6) where (epochs[id] ?? 0) > 0:
                    _ = try store.recordStopped(trialID: id, attempt: attempts[id] ?? 1, epoch: epochs[id] ?? 1, reason: "rung")
                    action = "stopped"
                case (.stopped, _):
                    _ = try store.promote(trialID: id)
                    action = "promoted"
                case (_, 7) where step % 50 == 7:
                    // An extension: new trials, one with a grid key no trial had (a new column).
                    var added = shakespeareTrial(extended + 1)
                    added.grid.append(GridEntry(key: "dropout", value: "0.\(step)"))
                    try store.insertTrials([added, shakespeareTrial(extended + 2)])
                    extended += 2
                    action = "extend"
                case (_, 7) where step % 50 == 17:
                    try store.renumberTrials(order: (1...extended).reversed().map { "t\($0)" })
                    action = "renumber"
                default:
                    continue
                }
                seen.insert(action)
                if step % 3 == 0 { try expectSameFiles(store, exports, folder, "step \(step) (\(action) \(id))") }
            }
            try expectSameFiles(store, exports, folder, "the end")
            #expect(seen == ["running", "epoch", "result", "requeue", "stopped", "promoted", "extend", "renumber"])
        }
    }

    @Test func aWriteReadsOnlyTheTrialsThatChangedAndADeleteRebuilds() throws {
        try withStore { store, folder in
            try makeFolders(folder)
            try store.insertTrials((1...200).map { shakespeareTrial($0) })
            let exports = store.liveExports()
            try expectSameFiles(store, exports, folder, "the first write")
            #expect(exports.trialsReadByLastWrite == 200)
            try expectSameFiles(store, exports, folder, "no change")
            #expect(exports.trialsReadByLastWrite == 0)

            try store.markRunning(trialID: "t7", workerID: "w1", host: "h1", leaseExpiresAt: time(60))
            try epoch(store, "t7", attempt: 1, 1, val: 1.5)
            try store.markRunning(trialID: "t150", workerID: "w2", host: "h2", leaseExpiresAt: time(60))
            try expectSameFiles(store, exports, folder, "two trials running, one epoch")
            #expect(exports.trialsReadByLastWrite == 2)

            try epoch(store, "t7", attempt: 1, 2, val: 1.25)
            try expectSameFiles(store, exports, folder, "an epoch")
            #expect(exports.trialsReadByLastWrite == 1)

            // Promoting deletes the stopped result row: a delete cannot be traced to its trial.
            #expect(try store.recordStopped(trialID: "t7", attempt: 1, epoch: 2, reason: "rung"))
            try expectSameFiles(store, exports, folder, "stopped")
            #expect(exports.trialsReadByLastWrite == 1)
            #expect(try store.promote(trialID: "t7"))
            try expectSameFiles(store, exports, folder, "promoted")
            #expect(exports.trialsReadByLastWrite == 200)
        }
    }

    @Test func aFailedWriteReadsEverythingAgainNextTime() throws {
        try withStore { store, folder in
            try makeFolders(folder)
            try store.insertTrials((1...20).map { shakespeareTrial($0) })
            let exports = store.liveExports()
            try expectSameFiles(store, exports, folder, "the first write")
            try store.markRunning(trialID: "t3", workerID: "w1", host: "h1", leaseExpiresAt: time(60))
            #expect(throws: StoreError.self) { try exports.write(to: folder.file("missing")) }
            try expectSameFiles(store, exports, folder, "after a failed write")
            #expect(exports.trialsReadByLastWrite == 20)
        }
    }
}
