import Testing
@testable import CharRNN

@Suite struct BatcherLastStepTests {
    static let n = TestData.shakespeareLength
    /// Position-identity tokens: a window's values are its positions, so coverage is checkable.
    static let positions = (0..<Int32(n)).map { $0 }

    @Test func wholeShakespeareHas1115374WindowsAtL20() throws {
        let tokens = try TestData.corpus("tinyshakespeare.txt").tokens
        let b = try LastStepBatcher(tokens: tokens, sequenceLength: 20, stride: 1, split: SplitSpec(kind: .none), seed: 1)
        #expect(b.trainWindowCount == 1_115_374)
        #expect(b.validationWindowCount == 1_115_374)
        #expect(b.batchCount(batchSize: 64, partition: .train) == 17_428) // ceil(1115374 / 64)
    }

    @Test func strideSkipsWindowStarts() throws {
        let b = try LastStepBatcher(tokens: Self.positions, sequenceLength: 20, stride: 3, split: SplitSpec(kind: .none), seed: 1)
        #expect(b.trainWindowCount == 371_792) // starts 0, 3, ..., 1115373 (p + 20 < n)
        #expect(b.windowStart(b.trainWindowCount - 1, partition: .train) == 1_115_373)
    }

    @Test func tailSplitSizesAndNoWindowCrossesTheBoundary() throws {
        let b = try LastStepBatcher(tokens: Self.positions, sequenceLength: 20, stride: 1, split: SplitSpec(kind: .tail, fraction: 0.1), seed: 1)
        // int(0.9 * 1115394) = 1003854 training tokens, 111540 validation tokens.
        #expect(b.trainWindowCount == 1_003_834)
        #expect(b.validationWindowCount == 111_520)
        let train = b.windowStarts(partition: .train)
        let validation = b.windowStarts(partition: .validation)
        #expect(train.first == 0 && train.last == 1_003_833) // last target is token 1003853
        #expect(validation.first == 1_003_854 && validation.last == 1_115_373)
    }

    @Test func randomSplitIsDeterministicDisjointAndComplete() throws {
        let split = SplitSpec(kind: .random, fraction: 0.1)
        let a = try LastStepBatcher(tokens: Self.positions, sequenceLength: 20, stride: 1, split: split, seed: 7)
        let again = try LastStepBatcher(tokens: Self.positions, sequenceLength: 20, stride: 1, split: split, seed: 7)
        let other = try LastStepBatcher(tokens: Self.positions, sequenceLength: 20, stride: 1, split: split, seed: 8)
        #expect(a.trainWindowCount == 1_003_836) // int(0.9 * 1115374)
        #expect(a.validationWindowCount == 111_538)
        let validation = a.windowStarts(partition: .validation)
        #expect(validation == again.windowStarts(partition: .validation))
        #expect(validation != other.windowStarts(partition: .validation))
        var seen = [Bool](repeating: false, count: 1_115_374)
        for p in a.windowStarts(partition: .train) + validation {
            #expect(!seen[Int(p)], "window \(p) on both sides")
            seen[Int(p)] = true
        }
        #expect(seen.allSatisfy { $0 })
        // Validation is spread over the text, not a block.
        #expect(validation.first! < 1000 && validation.last! > 1_114_000)
    }

    @Test func fillCopiesWindowsAndTargetsAndKeepsTheLastPartialBatch() throws {
        let tokens = try TestData.corpus("tinyshakespeare.txt").tokens
        let L = 20, batchSize = 1000
        var b = try LastStepBatcher(tokens: tokens, sequenceLength: L, stride: 1, split: SplitSpec(kind: .tail), seed: 3)
        b.beginEpoch(0)
        var inputs = [Int32](repeating: -1, count: batchSize * L)
        var targets = [Int32](repeating: -1, count: batchSize)
        for partition in Partition.allCases {
            let batches = b.batchCount(batchSize: batchSize, partition: partition)
            var rowsSeen = 0
            for batch in [0, batches - 1] {
                let rows = inputs.withUnsafeMutableBufferPointer { i in
                    targets.withUnsafeMutableBufferPointer { t in
                        b.fill(batch: batch, batchSize: batchSize, partition: partition, inputs: i.baseAddress!, targets: t.baseAddress!)
                    }
                }
                for r in 0..<rows {
                    let p = b.windowStart(batch * batchSize + r, partition: partition)
                    #expect(Array(inputs[(r * L)..<(r * L + L)]) == Array(tokens[p..<(p + L)]))
                    #expect(targets[r] == tokens[p + L])
                }
                rowsSeen = rows
            }
            #expect(rowsSeen == b.windowCount(partition: partition) - (batches - 1) * batchSize)
            #expect(rowsSeen < batchSize) // 1003834 and 111520 are not multiples of 1000
            let past = b.fill(batch: batches, batchSize: batchSize, partition: partition,
                              inputs: &inputs, targets: &targets)
            #expect(past == 0)
        }
    }

    @Test func epochShufflesAreReproducibleAndIndependentOfHistory() throws {
        let split = SplitSpec(kind: .tail)
        var a = try LastStepBatcher(tokens: Self.positions, sequenceLength: 20, stride: 1, split: split, seed: 42)
        var b = try LastStepBatcher(tokens: Self.positions, sequenceLength: 20, stride: 1, split: split, seed: 42)
        var c = try LastStepBatcher(tokens: Self.positions, sequenceLength: 20, stride: 1, split: split, seed: 43)
        let base = a.windowStarts(partition: .train)
        #expect(base == base.sorted() && a.epoch == nil)

        a.beginEpoch(0); let a0 = a.windowStarts(partition: .train)
        a.beginEpoch(1); let a1 = a.windowStarts(partition: .train)
        a.beginEpoch(2); let a2 = a.windowStarts(partition: .train)
        b.beginEpoch(2) // a resumed run starts straight at epoch 2
        c.beginEpoch(2)
        #expect(a0 != base && a0 != a1 && a1 != a2)
        #expect(b.windowStarts(partition: .train) == a2)
        #expect(b.epoch == 2)
        #expect(c.windowStarts(partition: .train) != a2)
        #expect(a2.sorted() == base) // a permutation
        #expect(a.windowStarts(partition: .validation) == a.windowStarts(partition: .validation).sorted())
    }

    @Test func windowShuffleIsSeededGeneratorsShuffle() {
        var a = (0..<Int32(10_000)).map { $0 }, b = a
        var g1 = SeededGenerator(seed: 99), g2 = SeededGenerator(seed: 99)
        g1.shuffle(&a)
        LastStepBatcher.shuffle(&b, using: &g2)
        #expect(a == b && g1 == g2)
    }

    @Test func tooShortSplitsAreErrorsNamingTheSizes() {
        let tokens = [Int32](repeating: 0, count: 100)
        let whole = #expect(throws: DataError.self) {
            try LastStepBatcher(tokens: Array(tokens[..<15]), sequenceLength: 20, stride: 1, split: SplitSpec(kind: .none), seed: 0)
        }
        #expect(whole?.description.contains("has 15 tokens") == true)
        #expect(whole?.description.contains("at least 21") == true)
        // Tail at 0.1 of 100 leaves 10 validation tokens.
        let tail = #expect(throws: DataError.self) {
            try LastStepBatcher(tokens: tokens, sequenceLength: 20, stride: 1, split: SplitSpec(kind: .tail), seed: 0)
        }
        #expect(tail?.description.hasPrefix("the validation split has 10 tokens") == true)
        #expect(throws: DataError.self) {
            try LastStepBatcher(tokens: Array(tokens[..<21]), sequenceLength: 20, stride: 1, split: SplitSpec(kind: .random), seed: 0)
        }
        #expect(throws: DataError.invalidParameter(field: "stride", value: "0", expected: "an integer >= 1")) {
            try LastStepBatcher(tokens: tokens, sequenceLength: 20, stride: 0, split: SplitSpec(kind: .none), seed: 0)
        }
        #expect(throws: DataError.self) {
            try LastStepBatcher(tokens: tokens, sequenceLength: 0, stride: 1, split: SplitSpec(kind: .none), seed: 0)
        }
    }
}
