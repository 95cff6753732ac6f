import Foundation
import SweepStore
import Testing

@Suite struct CheckpointBookkeepingTests {
    private func record(_ store: SweepStore, _ epoch: Int, best: Bool, trial: String = "t1",
                        path: String? = nil) throws -> [String] {
        try store.recordCheckpoint(
            trialID: trial, epoch: epoch, path: path ?? "checkpoints/\(trial)/epoch-\(epoch).safetensors",
            sha256: String(repeating: "\(epoch % 10)", count: 64), bytes: 1000 + epoch, isBest: best
        ).obsoletePaths
    }

    private func flags(_ store: SweepStore, _ trial: String = "t1") throws -> [String] {
        try store.checkpoints(trialID: trial).map { "\($0.epoch)\($0.isLatest ? "L" : "")\($0.isBest ? "B" : "")" }
    }

    @Test func oneLatestAndOneBestPerTrialAndObsoleteFilesReturned() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1), shakespeareTrial(2)])
            #expect(try record(store, 1, best: true) == [])
            #expect(try flags(store) == ["1LB"])
            #expect(try record(store, 2, best: true) == ["checkpoints/t1/epoch-1.safetensors"])
            #expect(try flags(store) == ["2LB"])
            // Validation got worse: epoch 2 stays best, epoch 3 is latest.
            #expect(try record(store, 3, best: false) == [])
            #expect(try flags(store) == ["2B", "3L"])
            #expect(try record(store, 4, best: false) == ["checkpoints/t1/epoch-3.safetensors"])
            #expect(try flags(store) == ["2B", "4L"])
            #expect(try record(store, 5, best: true) == ["checkpoints/t1/epoch-2.safetensors",
                                                         "checkpoints/t1/epoch-4.safetensors"])
            #expect(try flags(store) == ["5LB"])

            // Another trial's bookkeeping is separate.
            #expect(try record(store, 1, best: true, trial: "t2") == [])
            #expect(try flags(store, "t2") == ["1LB"])
            #expect(try flags(store) == ["5LB"])

            let latest = try #require(try store.latestCheckpoint(trialID: "t1"))
            #expect(latest.epoch == 5)
            #expect(latest.bytes == 1005)
            #expect(latest.sha256 == String(repeating: "5", count: 64))
            #expect(try store.bestCheckpoint(trialID: "t1")?.epoch == 5)
            #expect(try store.latestCheckpoint(trialID: "t3") == nil)
        }
    }

    @Test func reRecordingAnEpochReplacesItWithoutDeletingAFileStillInUse() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1)])
            _ = try record(store, 1, best: true)
            _ = try record(store, 2, best: false)
            // Attempt 2 resumed from epoch 1 and re-sends epoch 2 under the same path.
            #expect(try record(store, 2, best: false) == [])
            #expect(try flags(store) == ["1B", "2L"])
            // ... and under a new path: the old file of that epoch is obsolete.
            #expect(try record(store, 2, best: false, path: "checkpoints/t1/epoch-2-a2.safetensors")
                == ["checkpoints/t1/epoch-2.safetensors"])
            #expect(try store.latestCheckpoint(trialID: "t1")?.path == "checkpoints/t1/epoch-2-a2.safetensors")
        }
    }

    @Test func checkpointForUnknownTrialIsAnError() throws {
        try withStore { store, _ in
            #expect(throws: StoreError.unknownTrial("zz")) { _ = try record(store, 1, best: true, trial: "zz") }
        }
    }
}
