#if canImport(Glibc)
import CSystemShim
import Glibc
#endif
import Testing
@testable import CharRNN

/// A training step (forward, loss, backward, Adam) must not grow the heap: every buffer is allocated
/// when the model is built. glibc's counters cannot see a block freed within the step (valgrind can:
/// see docs/speed.md), but they catch any buffer a step keeps or leaks.
@Suite struct StepAllocationTests {
    #if os(Linux) && arch(x86_64)
    static let configs: [ModelConfig] = [
        ModelConfig(vocabSize: 17, cell: .lstm, layers: 2, hiddenSize: 24, fcLayers: 2, dropout: 0.2),
        ModelConfig(vocabSize: 17, cell: .gru, hiddenSize: 20, input: .oneHot, batchNorm: false),
    ]

    /// Also on three threads splitting every product and batch: no thread is created and nothing
    /// allocated per step.
    @Test(arguments: configs, [1, 3])
    func stepsDoNotGrowTheHeap(_ config: ModelConfig, threads: Int) throws {
        let pool = threads > 1 ? ThreadPool(size: threads, policy: .finest) : nil
        try ThreadPool.withCurrent(pool) { try Self.checkSteps(config) }
    }

    static func checkSteps(_ config: ModelConfig) throws {
        let batch = 16, steps = 9
        let model = try CharRNNModel(config: config, maxBatch: batch, maxSteps: steps, objective: .lastStep)
        let adam = Adam(learningRate: 1e-3, count: model.store.count)
        var rng = SeededGenerator(seed: 3)
        let tokens = [Int32].random(count: batch * steps, below: 17, rng: &rng)
        let targets = [Int32].random(count: batch, below: 17, rng: &rng)
        func step() {
            model.resetState(batch: batch)
            model.forward(tokens: tokens, batch: batch, steps: steps, objective: .lastStep, training: true, rng: &rng)
            model.store.zeroGradients()
            _ = model.loss(targets: targets, computeGradient: true)
            model.backward()
            adam.update(model.store)
        }
        step()  // first call allocates GEMM's per-thread packing buffers (on every pool thread)
        // The counters are process-wide and other tests run in parallel threads, so one window of
        // steps can be polluted by their allocations. A leaking step grows the heap in every window;
        // a clean one shows zero growth in at least one quiet window. Windows of one step stay short
        // on a loaded machine, where a step of three threads on two cores can take a second.
        var growth: [(inUse: Int, mapped: Int)] = []
        for _ in 0..<120 {
            let before = HeapCounters.read()
            step()
            let after = HeapCounters.read()
            growth.append((after.inUse - before.inUse, after.mapped - before.mapped))
            if growth.last! == (0, 0) { break }
        }
        #expect(growth.contains { $0 == (0, 0) }, "the heap grew in every window of 1 step: \(growth.prefix(5))")
    }

    /// The counters see a block kept across the reads (so the test above can fail).
    @Test func countersSeeAKeptBlock() throws {
        var seen = false
        for _ in 0..<40 where !seen {
            let before = HeapCounters.read()
            let block = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 16)
            let after = HeapCounters.read()
            block.deallocate()
            seen = after.inUse - before.inUse >= 1 << 16 || after.mapped - before.mapped >= 1 << 16
        }
        #expect(seen)
    }
    #endif
}

#if os(Linux)
/// glibc's heap counters: bytes in use and bytes in mmapped blocks.
enum HeapCounters {
    static func read() -> (inUse: Int, mapped: Int) {
        let info = mallinfo2()
        return (inUse: info.uordblks, mapped: info.hblkhd)
    }
}
#endif
