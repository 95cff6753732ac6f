import Synchronization
import Testing
@testable import CharRNN

/// A step split over N threads computes the same bits as one thread: fixed partitions, each output
/// element computed in the single-threaded order; the only partial sums are over fixed groups of
/// sequences, never over threads.
@Suite struct ThreadCountParityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let config: ModelConfig
        let objective: Objective
        let batch: Int
        let steps: Int
        /// `finest` splits every product and batch, however small; `measured` is what trials use.
        let finest: Bool
        var testDescription: String {
            "\(config.cell.rawValue) L\(config.layers) H\(config.hiddenSize) FC\(config.fcLayers) \(objective.rawValue) B\(batch) \(finest ? "finest" : "measured")"
        }
    }

    static let cases: [Case] = [
        Case(config: ModelConfig(vocabSize: 23, cell: .lstm, layers: 2, hiddenSize: 20, fcLayers: 2, dropout: 0.2),
             objective: .lastStep, batch: 7, steps: 5, finest: true),
        Case(config: ModelConfig(vocabSize: 23, cell: .gru, layers: 2, hiddenSize: 13, input: .oneHot, fcLayers: 3, batchNorm: true),
             objective: .everyStep, batch: 5, steps: 4, finest: true),
        Case(config: ModelConfig(vocabSize: 23, cell: .rnn, layers: 1, hiddenSize: 17, fcLayers: 1, activation: .tanh),
             objective: .everyStep, batch: 6, steps: 3, finest: true),
        // Large enough for the production thresholds: the recurrences are split by units on two
        // threads (32 or 48 each) and by sequences where a unit share would be under 32 (the LSTM on
        // three threads); the projections, head and weight gradients are split.
        Case(config: ModelConfig(vocabSize: 65, cell: .lstm, layers: 2, hiddenSize: 64, fcLayers: 2),
             objective: .lastStep, batch: 48, steps: 8, finest: false),
        Case(config: ModelConfig(vocabSize: 65, cell: .gru, layers: 1, hiddenSize: 96, fcLayers: 1),
             objective: .everyStep, batch: 40, steps: 6, finest: false),
        // Three groups of the token scatter (32 + 32 + 6 sequences), taken by one, two or three threads.
        Case(config: ModelConfig(vocabSize: 29, cell: .rnn, layers: 1, hiddenSize: 32, fcLayers: 1, activation: .tanh),
             objective: .everyStep, batch: 70, steps: 3, finest: false),
        // Split by hidden units (H a multiple of 16, GEMM's panel width): 32 + 16 or 16 + 16 + 16
        // units per thread for the RNN; 32 + 32 for the LSTM on two and three threads (the third
        // thread has no units but meets the others at every step).
        Case(config: ModelConfig(vocabSize: 23, cell: .rnn, layers: 2, hiddenSize: 48, fcLayers: 1, activation: .tanh),
             objective: .everyStep, batch: 5, steps: 4, finest: true),
        Case(config: ModelConfig(vocabSize: 23, cell: .lstm, layers: 2, hiddenSize: 64, fcLayers: 2),
             objective: .lastStep, batch: 6, steps: 5, finest: true),
        // d2l's protocol: independent windows with a target at every step, one-hot input.
        Case(config: ModelConfig(vocabSize: 28, cell: .gru, layers: 2, hiddenSize: 32, input: .oneHot, fcLayers: 1, dropout: 0.5),
             objective: .windowEveryStep, batch: 9, steps: 7, finest: true),
    ]

    /// Losses of every step, the last step's gradients and the parameters after the last Adam update.
    struct Outcome: Equatable {
        var losses: [UInt64] = []
        var gradients: [UInt32] = []
        var parameters: [UInt32] = []
    }

    static func train(_ c: Case, threads: Int, adamSteps: Int = 4) throws -> Outcome {
        let model = try CharRNNModel(config: c.config, maxBatch: c.batch, maxSteps: c.steps, objective: c.objective)
        var rng = SeededGenerator(seed: 11)
        model.initializeParameters(rng: &rng)
        let adam = Adam(learningRate: 3e-3, count: model.store.count)
        let tokens = [Int32].random(count: c.batch * c.steps, below: c.config.vocabSize, rng: &rng)
        let targets = [Int32].random(count: c.objective == .lastStep ? c.batch : c.batch * c.steps,
                                     below: c.config.vocabSize, rng: &rng)
        let pool = threads > 1 ? ThreadPool(size: threads, policy: c.finest ? .finest : .measured) : nil
        var outcome = Outcome()
        ThreadPool.withCurrent(pool) {
            model.resetState(batch: c.batch)
            for step in 0..<adamSteps {
                if c.objective != .everyStep { model.resetState(batch: c.batch) }
                model.forward(tokens: tokens, batch: c.batch, steps: c.steps, objective: c.objective, training: true, rng: &rng)
                model.store.zeroGradients()
                outcome.losses.append(model.loss(targets: targets, computeGradient: true).lossSum.bitPattern)
                model.backward()
                if step == adamSteps - 1 {
                    outcome.gradients = UnsafeBufferPointer(start: model.store.gradients, count: model.store.count).map(\.bitPattern)
                }
                adam.update(model.store)
                if c.objective == .everyStep { model.carryState() }
            }
        }
        outcome.parameters = UnsafeBufferPointer(start: model.store.values, count: model.store.count).map(\.bitPattern)
        return outcome
    }

    @Test("thread counts 1, 2, 3 give bit-identical losses, gradients and parameters after several Adam steps",
          arguments: cases)
    func threadCountsGiveIdenticalBits(_ c: Case) throws {
        let one = try Self.train(c, threads: 1)
        #expect(one.losses.allSatisfy { Double(bitPattern: $0).isFinite })
        for threads in [2, 3] {
            let many = try Self.train(c, threads: threads)
            #expect(many.losses == one.losses, "\(threads) threads: losses differ")
            #expect(many.gradients == one.gradients,
                    "\(threads) threads: \(zip(many.gradients, one.gradients).filter { $0 != $1 }.count) gradients differ")
            #expect(many.parameters == one.parameters,
                    "\(threads) threads: \(zip(many.parameters, one.parameters).filter { $0 != $1 }.count) parameters differ")
        }
    }

    /// The comparison above can fail: a different seed's run differs in every part.
    @Test func outcomesOfDifferentRunsDiffer() throws {
        let c = Self.cases[0]
        let a = try Self.train(c, threads: 1, adamSteps: 2)
        let b = try Self.train(c, threads: 2, adamSteps: 3)
        #expect(a.parameters != b.parameters)
    }
}

@Suite struct RecurrenceSplitTests {
    /// The blocks `forEachRecurrenceBlock` hands out for one LSTM layer, sorted.
    static func blocks(hidden: Int, batch: Int, threads: Int, policy: SplitPolicy) throws -> [[Int]] {
        let config = ModelConfig(vocabSize: 23, cell: .lstm, layers: 1, hiddenSize: hidden, fcLayers: 1)
        let model = try CharRNNModel(config: config, maxBatch: batch, maxSteps: 2, objective: .lastStep)
        let pool = ThreadPool(size: threads, policy: policy)
        let seen = Mutex<[[Int]]>([])
        ThreadPool.withCurrent(pool) {
            model.stack.layers[0].forEachRecurrenceBlock(batch: batch) { block in
                block.endStep()
                seen.withLock { $0.append([block.rows.lowerBound, block.rows.upperBound, block.units.lowerBound, block.units.upperBound]) }
            }
        }
        return seen.withLock { $0 }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    @Test func aRecurrenceIsSplitByUnitsWhenEveryThreadGetsWholePanels() throws {
        // Every thread takes all 6 sequences and whole 16-unit panels; a third thread gets none.
        #expect(try Self.blocks(hidden: 32, batch: 6, threads: 2, policy: .finest) == [[0, 6, 0, 16], [0, 6, 16, 32]])
        #expect(try Self.blocks(hidden: 64, batch: 6, threads: 3, policy: .finest) == [[0, 6, 0, 32], [0, 6, 32, 64], [0, 6, 64, 64]])
        // 32 units on three threads would leave each less than a panel: split by sequences.
        #expect(try Self.blocks(hidden: 32, batch: 6, threads: 3, policy: .finest).allSatisfy { $0[2] == 0 && $0[3] == 32 })
        #expect(try Self.blocks(hidden: 128, batch: 32, threads: 2, policy: .measured) == [[0, 32, 0, 64], [0, 32, 64, 128]])
    }

    @Test func otherwiseByWholeSequences() throws {
        // 20 units do not fall on panel boundaries: one block of sequences per thread, all units each.
        #expect(try Self.blocks(hidden: 20, batch: 6, threads: 2, policy: .finest) == [[0, 3, 0, 20], [3, 6, 0, 20]])
        // Enough sequences per thread: by sequences even though units would fall on whole panels.
        #expect(try Self.blocks(hidden: 128, batch: 128, threads: 2, policy: .measured) == [[0, 64, 0, 128], [64, 128, 0, 128]])
        #expect(try Self.blocks(hidden: 128, batch: 64, threads: 2, policy: .measured) == [[0, 32, 0, 128], [32, 64, 0, 128]])
        // 48 units on two threads would leave each fewer than 32: split by sequences.
        #expect(try Self.blocks(hidden: 48, batch: 64, threads: 2, policy: .measured).allSatisfy { $0[2] == 0 && $0[3] == 48 })
        // Too little work to split at all.
        #expect(try Self.blocks(hidden: 64, batch: 8, threads: 2, policy: .measured) == [[0, 8, 0, 64]])
    }
}

@Suite struct ThreadPoolTests {
    /// Every member of a team sees every other member's writes of a step after the step's barrier.
    @Test(arguments: [2, 3])
    func teamMembersMeetAtEveryStep(size: Int) {
        let pool = ThreadPool(size: size)
        let steps = 2_000
        var slots = [Int](repeating: -1, count: size)
        var mismatches = [Int](repeating: 0, count: size)
        slots.withUnsafeMutableBufferPointer { slots in
            mismatches.withUnsafeMutableBufferPointer { mismatches in
                pool.runTeam { member, barrier in
                    for step in 0..<steps {
                        slots[member] = step
                        barrier.wait()
                        for other in 0..<size where slots[other] != step { mismatches[member] += 1 }
                        // Nobody writes the next step's values before everyone has read this step's.
                        barrier.wait()
                    }
                }
            }
        }
        #expect(mismatches == [Int](repeating: 0, count: size))
        #expect(slots == [Int](repeating: steps - 1, count: size))
    }

    @Test func aTeamOfOneRunsAloneAndItsWaitsReturn() {
        var calls = 0
        ThreadPool(size: 1).runTeam { member, barrier in
            barrier.wait()
            calls += 1
            #expect(member == 0)
        }
        #expect(calls == 1)
    }

    @Test func everyPartRunsOnce() {
        let pool = ThreadPool(size: 3)
        for parts in [0, 1, 2, 3, 7, 40] {
            for _ in 0..<20 {
                var seen = [Int](repeating: 0, count: 40)
                seen.withUnsafeMutableBufferPointer { counts in
                    pool.run(parts: parts) { counts[$0] += 1 }
                }
                #expect(seen == (0..<40).map { $0 < parts ? 1 : 0 })
            }
        }
    }

    @Test func nestedRegionsRunOnTheCallingThread() {
        let pool = ThreadPool(size: 2)
        var inner = [Int]()
        ThreadPool.withCurrent(pool) {
            #expect(ThreadPool.current === pool)
            pool.run(parts: 2) { part in
                // Part 0 runs on the caller, now inside a region: no pool to split over.
                guard part == 0 else { return }
                #expect(ThreadPool.current == nil)
                ThreadPool.forEachBlock(of: 100, granule: 4, minimumBlock: 1) { inner.append($0.count) }
            }
            // Outside it, the same call splits into blocks of whole granules that cover every item once.
            var marks = [Int](repeating: 0, count: 100), starts = [Int](repeating: 0, count: 100)
            marks.withUnsafeMutableBufferPointer { marks in
                starts.withUnsafeMutableBufferPointer { starts in
                    ThreadPool.forEachBlock(of: 100, granule: 4, minimumBlock: 1) { block in
                        starts[block.lowerBound] = 1
                        for i in block { marks[i] += 1 }
                    }
                }
            }
            #expect(marks.allSatisfy { $0 == 1 })
            #expect(starts.reduce(0, +) > 1)
            #expect(starts.indices.allSatisfy { starts[$0] == 0 || $0 % 4 == 0 })
        }
        #expect(inner == [100])
        #expect(ThreadPool.current == nil)
    }

    @Test(arguments: [(0, 2, 4), (3, 3, 1), (64, 2, 4), (130, 3, 12), (7, 5, 8), (1000, 7, 8)])
    func partitionsCoverTheRangeInWholeGranules(count: Int, parts: Int, granule: Int) {
        let p = ParallelPartition(count: count, parts: parts, granule: granule)
        #expect(p.parts <= parts)
        var next = 0
        for part in 0..<p.parts {
            let block = p.block(part)
            #expect(block.lowerBound == next && !block.isEmpty)
            #expect(block.lowerBound % granule == 0)
            next = block.upperBound
        }
        #expect(next == count)
    }
}
