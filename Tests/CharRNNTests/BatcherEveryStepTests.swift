import Testing
@testable import CharRNN

@Suite struct BatcherEveryStepTests {
    /// Runs one epoch of a partition, returning every (input, target) pair as filled.
    static func epoch(_ b: EveryStepBatcher, _ partition: Partition) -> (inputs: [Int32], targets: [Int32], steps: [Int]) {
        var inputs = [Int32](repeating: -1, count: b.batchSize * b.sequenceLength)
        var targets = inputs
        var allInputs = [Int32](), allTargets = [Int32](), steps = [Int]()
        for chunk in 0..<b.chunkCount(partition: partition) {
            let n = b.fill(chunk: chunk, partition: partition, inputs: &inputs, targets: &targets)
            allInputs += inputs[..<(b.batchSize * n)]
            allTargets += targets[..<(b.batchSize * n)]
            steps.append(n)
        }
        return (allInputs, allTargets, steps)
    }

    @Test func everyTrainingTokenIsATargetExactlyOncePerEpoch() throws {
        // Position-identity tokens the size of tiny Shakespeare, tail split, B = 64, L = 50.
        let n = TestData.shakespeareLength
        let positions = (0..<Int32(n)).map { $0 }
        let b = try EveryStepBatcher(tokens: positions, sequenceLength: 50, batchSize: 64, split: SplitSpec(kind: .tail))
        let T = (1_003_854 - 1) / 64 // 15685 steps per stream
        #expect(b.streamLength(partition: .train) == T)
        #expect(b.chunkCount(partition: .train) == 314) // ceil(15685 / 50)
        let epoch = Self.epoch(b, .train)
        #expect(epoch.steps.dropLast().allSatisfy { $0 == 50 } && epoch.steps.last == 35)
        var count = [Int](repeating: 0, count: n)
        for t in epoch.targets { count[Int(t)] += 1 }
        // Targets 1...B*T once each, nothing else (the 13-token remainder and validation never).
        #expect(count[1...(64 * T)].allSatisfy { $0 == 1 })
        #expect(count[0] == 0 && count[(64 * T + 1)...].allSatisfy { $0 == 0 })
        #expect(zip(epoch.inputs, epoch.targets).allSatisfy { $1 == $0 + 1 })

        let validation = Self.epoch(b, .validation)
        #expect(b.streamLength(partition: .validation) == (111_540 - 1) / 64)
        #expect(validation.targets.allSatisfy { $0 > 1_003_854 })
        #expect(Set(validation.targets).count == validation.targets.count)
    }

    @Test func streamsFollowTheTextAcrossChunks() throws {
        let tokens = try TestData.corpus("tinyshakespeare.txt").tokens
        let B = 8, L = 30
        let b = try EveryStepBatcher(tokens: tokens, sequenceLength: L, batchSize: B, split: SplitSpec(kind: .none))
        let T = b.streamLength(partition: .train)
        #expect(T == (tokens.count - 1) / B)
        // Chunk c, row b holds stream b's steps c*L ..< c*L+steps.
        var inputs = [Int32](repeating: 0, count: B * L), targets = inputs
        for chunk in [0, 1, b.chunkCount(partition: .train) - 1] {
            let steps = b.fill(chunk: chunk, partition: .train, inputs: &inputs, targets: &targets)
            for row in 0..<B {
                let p = row * T + chunk * L
                #expect(Array(inputs[(row * steps)..<(row * steps + steps)]) == Array(tokens[p..<(p + steps)]))
                #expect(Array(targets[(row * steps)..<(row * steps + steps)]) == Array(tokens[(p + 1)..<(p + 1 + steps)]))
            }
        }
        #expect(b.chunkCount(partition: .validation) == b.chunkCount(partition: .train))
    }

    @Test func rowStrideKeepsAFixedLayout() throws {
        let positions = (0..<Int32(1003)).map { $0 }
        let b = try EveryStepBatcher(tokens: positions, sequenceLength: 10, batchSize: 7, split: SplitSpec(kind: .none))
        #expect(b.streamLength(partition: .train) == 143) // 1002 pairs / 7 streams
        let last = b.chunkCount(partition: .train) - 1
        var inputs = [Int32](repeating: -1, count: 70), targets = inputs
        let steps = b.fill(chunk: last, partition: .train, inputs: &inputs, targets: &targets, rowStride: 10)
        #expect(steps == 3)
        for row in 0..<7 {
            #expect(Array(inputs[(row * 10)..<(row * 10 + 3)]) == [Int32(row * 143 + 140), Int32(row * 143 + 141), Int32(row * 143 + 142)])
            #expect(inputs[row * 10 + 3] == -1) // untouched padding
            #expect(targets[row * 10 + 2] == Int32(row * 143 + 143))
        }
        #expect(b.fill(chunk: last + 1, partition: .train, inputs: &inputs, targets: &targets) == 0)
    }

    @Test func randomSplitIsRejectedWithAReason() {
        let error = #expect(throws: DataError.self) {
            try EveryStepBatcher(tokens: [Int32](repeating: 0, count: 1000), sequenceLength: 10, batchSize: 4, split: SplitSpec(kind: .random))
        }
        #expect(error?.description.hasPrefix("split 'random' is not supported with objective 'every-step'") == true)
    }

    @Test func tooShortPartitionNamesTheSizes() {
        // Tail of 0.1 x 100 tokens = 10 validation tokens: 9 pairs for 16 streams.
        let error = #expect(throws: DataError.self) {
            try EveryStepBatcher(tokens: [Int32](repeating: 0, count: 100), sequenceLength: 10, batchSize: 16, split: SplitSpec(kind: .tail))
        }
        #expect(error == .splitTooShort(partition: .validation, tokens: 10, needed: 17,
                                        detail: "16 streams (batch_size) of at least one step each; lower batch_size"))
        #expect(throws: DataError.self) {
            try EveryStepBatcher(tokens: [Int32](repeating: 0, count: 100), sequenceLength: 10, batchSize: 0, split: SplitSpec(kind: .none))
        }
    }
}
