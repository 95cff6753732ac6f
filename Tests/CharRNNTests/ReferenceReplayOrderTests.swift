import Testing
@testable import CharRNN

/// tools/reference/step_check.py replays our trainer in PyTorch by redrawing, in Python, the windows
/// of the random split and of each epoch's mini-batches. These orders were printed by its
/// `split_random` and `epoch_order`; a change to the seeding or the shuffle here must change them there.
@Suite struct ReferenceReplayOrderTests {
    /// 50 position tokens, L = 3: windows start at 0...46.
    static let tokens = (0..<Int32(50)).map { $0 }
    static let seed: UInt64 = 12345

    @Test func epochShuffleIsTheOrderStepCheckReplays() throws {
        var b = try LastStepBatcher(tokens: Self.tokens, sequenceLength: 3, split: SplitSpec(kind: .none), seed: Self.seed)
        b.beginEpoch(2)
        #expect(b.windowStarts(partition: .train) == [
            44, 17, 24, 2, 21, 4, 43, 15, 19, 28, 10, 40, 38, 45, 39, 20, 27, 5, 26, 13, 9, 32, 23, 25, 11, 0, 7, 6, 46, 36,
            35, 18, 14, 3, 41, 37, 16, 12, 42, 8, 22, 33, 30, 34, 29, 31, 1,
        ])
        b.beginEpoch(3)
        #expect(Array(b.windowStarts(partition: .train).prefix(10)) == [13, 4, 41, 5, 6, 17, 9, 30, 32, 31])
    }

    @Test func randomSplitIsTheSplitStepCheckReplays() throws {
        let b = try LastStepBatcher(tokens: Self.tokens, sequenceLength: 3, split: SplitSpec(kind: .random, fraction: 0.2),
                                    seed: Self.seed)
        #expect(b.windowStarts(partition: .validation) == [0, 3, 12, 20, 23, 30, 33, 36, 41, 46])
        #expect(b.windowStarts(partition: .train) == [
            1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 25, 26, 27, 28, 29, 31, 32, 34, 35, 37,
            38, 39, 40, 42, 43, 44, 45,
        ])
    }
}
