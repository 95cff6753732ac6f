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
    /// allocated per step. Checked in a child process of its own: the heap counters are
    /// process-wide, and here other suites' threads allocate all the time.
    @Test func stepsDoNotGrowTheHeap() async {
        await #expect(processExitsWith: .success) {
            for config in StepAllocationTests.configs {
                for threads in [1, 3] {
                    let pool = threads > 1 ? ThreadPool(size: threads, policy: .finest) : nil
                    let growth = try ThreadPool.withCurrent(pool) { try StepAllocationTests.heapGrowth(config) }
                    if StepAllocationTests.keepsMemory(growth, threads: threads) {
                        print("\(config.cell) on \(threads) threads: the heap grew across a step: \(growth)")
                        exit(EXIT_FAILURE)
                    }
                }
            }
        }
    }

    /// Whether the steps keep memory. A step that keeps a block grows the heap across every step (a
    /// block of up to 1 KiB can come out of glibc's per-thread cache, which the counters already
    /// count as in use, so a small leak shows only once that cache is empty); a thread's GEMM
    /// packing buffer is allocated once, on its first GEMM job, which on a loaded machine can come
    /// after the warm-up step: so up to one grown window per thread is allowed, out of 16.
    static func keepsMemory(_ growth: [(inUse: Int, mapped: Int)], threads: Int) -> Bool {
        growth.filter { $0 != (0, 0) }.count > threads
    }

    /// The heap's growth across each of sixteen steps, after a first step that allocates GEMM's
    /// per-thread packing buffers. `kept`: bytes each step keeps (a leak).
    static func heapGrowth(_ config: ModelConfig, keepingPerStep kept: Int = 0) throws -> [(inUse: Int, mapped: Int)] {
        let batch = 16, steps = 9
        let model = try CharRNNModel(config: config, maxBatch: batch, maxSteps: steps, objective: .lastStep)
        let adam = Adam(learningRate: 1e-3, count: model.store.count)
        var rng = SeededGenerator(seed: 3)
        let tokens = [Int32].random(count: batch * steps, below: 17, rng: &rng)
        let targets = [Int32].random(count: batch, below: 17, rng: &rng)
        var keep = [UnsafeMutableRawPointer]()
        keep.reserveCapacity(32)
        defer { keep.forEach { $0.deallocate() } }
        func step() {
            if kept > 0 { keep.append(.allocate(byteCount: kept, alignment: 16)) }
            model.resetState(batch: batch)
            model.forward(tokens: tokens, batch: batch, steps: steps, objective: .lastStep, training: true, rng: &rng)
            model.store.zeroGradients()
            _ = model.loss(targets: targets, computeGradient: true)
            model.backward()
            adam.update(model.store)
        }
        step()
        var growth: [(inUse: Int, mapped: Int)] = []
        for _ in 0..<16 {
            let before = HeapCounters.read()
            step()
            let after = HeapCounters.read()
            growth.append((after.inUse - before.inUse, after.mapped - before.mapped))
        }
        return growth
    }

    /// The check can fail: a step that keeps 2 KiB is caught, in a child process as above.
    @Test func aStepThatKeepsABlockIsCaught() async {
        await #expect(processExitsWith: .exitCode(EXIT_FAILURE)) {
            let config = StepAllocationTests.configs[1]
            let growth = try StepAllocationTests.heapGrowth(config, keepingPerStep: 2048)
            if StepAllocationTests.keepsMemory(growth, threads: 1) { exit(EXIT_FAILURE) }
        }
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
