/// The training loop over a BatchSource: one epoch at a time, evaluation, divergence detection and
/// cancellation between batches. Everything it mutates is part of the checkpointed state.
final class Trainer {
    let model: CharRNNModel
    let optimizer: any Optimizer
    let training: TrainingConfig
    var batches: BatchSource
    /// Dropout masks; saved in checkpoints so a resumed run draws the same masks.
    var dropoutRNG: SeededGenerator
    private let inputs: UnsafeMutablePointer<Int32>
    private let targets: UnsafeMutablePointer<Int32>
    /// Matmul MACs of one recurrent step and one head application (cached: the config computes them).
    private let recurrentMACs: Double, headMACs: Double

    /// Epochs completed.
    var epoch = 0
    var history: [EpochMetrics] = []
    var trainingSeconds = 0.0
    var trainingFLOPs = 0.0
    /// The threads each step is split over (nil: one thread). Created once, not per step.
    private(set) var pool: ThreadPool?

    init(model: CharRNNModel, training: TrainingConfig, batches: BatchSource, seed: UInt64) {
        self.model = model
        self.training = training
        self.batches = batches
        optimizer = makeOptimizer(training.optimizer, learningRate: training.learningRate, momentum: training.momentum,
                                  parameterCount: model.store.count)
        recurrentMACs = Double(model.config.recurrentMACsPerStep)
        headMACs = Double(model.config.headMACs)
        dropoutRNG = SeededGenerator(seed: seed ^ 0x4452_4F50_4F55_5400)  // "DROPOUT"
        let n = batches.rowsPerBatch * training.sequenceLength
        inputs = .allocate(capacity: n)
        inputs.initialize(repeating: 0, count: n)
        targets = .allocate(capacity: n)
        targets.initialize(repeating: 0, count: n)
        setThreads(training.threads)
    }

    /// The cpus the pool was placed on (empty: the process's affinity).
    private var placement: [Int] = []
    /// The training thread's cpus before the trainer first pinned it, to go back to.
    private var unpinnedCPUs: [Int]?

    /// Trains from now on with `count` threads (between epochs or batches, never inside a step),
    /// on `cpus` (one per thread, the calling thread first; empty: wherever the process may run).
    /// Creates the new pool's threads once, here. Results do not depend on it.
    func setThreads(_ count: Int, cpus: [Int] = []) {
        precondition((1...ThreadPool.maximumSize).contains(count), "threads \(count) outside 1...\(ThreadPool.maximumSize)")
        let cpus = cpus.count == count ? cpus : []
        guard count != (pool?.size ?? 1) || cpus != placement else { return }
        if !cpus.isEmpty {
            if unpinnedCPUs == nil { unpinnedCPUs = (CPUAffinity.allowed() ?? []) }
            CPUAffinity.pin([cpus[0]])
        } else if let unpinned = unpinnedCPUs {
            CPUAffinity.pin(unpinned)
            unpinnedCPUs = nil
        }
        placement = cpus
        // An old pool's threads sleep until the epoch that used it lets it go.
        pool = count > 1 ? ThreadPool(size: count, cores: cpus.isEmpty ? nil : cpus) : nil
    }

    var threads: Int { pool?.size ?? 1 }

    deinit {
        inputs.deallocate()
        targets.deallocate()
    }

    enum EpochOutcome {
        case completed(EpochMetrics)
        case diverged(String)
        case cancelled
    }

    var bestEpoch: EpochMetrics? {
        history.min { $0.valLoss < $1.valLoss }
    }

    private func capped(_ n: Int) -> Int { min(n, training.maxBatchesPerEpoch ?? n) }

    /// Trains epoch `epoch + 1` and evaluates it; `batchEnded` hears of each finished training batch.
    /// `threadChange` is asked before every batch; a change is applied there, between two steps,
    /// and announced through `threadsApplied`.
    func runEpoch(isCancelled: () -> Bool, batchEnded: (EpochProgress) -> Void = { _ in },
                  threadChange: () -> ThreadPlacement? = { nil }, threadsApplied: (Int) -> Void = { _ in }) -> EpochOutcome {
        ThreadPool.withCurrent(pool) {
            trainEpoch(isCancelled: isCancelled, batchEnded: batchEnded, threadChange: threadChange, threadsApplied: threadsApplied)
        }
    }

    private func trainEpoch(isCancelled: () -> Bool, batchEnded: (EpochProgress) -> Void,
                            threadChange: () -> ThreadPlacement?, threadsApplied: (Int) -> Void) -> EpochOutcome {
        let number = epoch + 1
        let clock = ContinuousClock()
        let start = clock.now
        batches.beginEpoch(number)
        let count = capped(batches.batchCount(.train))
        var stats = LossStatistics()
        var tokens = 0
        var flops = 0.0
        if batches.carriesState { model.resetState(batch: training.batchSize) }
        for i in 0..<count {
            if isCancelled() { return .cancelled }
            if let change = threadChange(), (1...ThreadPool.maximumSize).contains(change.threads) {
                // Here no step runs: the new pool takes over whole steps only.
                setThreads(change.threads, cpus: change.cpus)
                ThreadPool.replaceCurrent(pool)
                threadsApplied(threads)
            }
            let (rows, steps) = batches.fill(i, .train, inputs: inputs, targets: targets)
            guard rows > 0, steps > 0 else { break }
            if !batches.carriesState { model.resetState(batch: rows) }
            model.forward(tokens: inputs, batch: rows, steps: steps, objective: training.objective, training: true, rng: &dropoutRNG)
            model.store.zeroGradients()
            let s = model.loss(targets: targets, computeGradient: true)
            guard s.lossSum.isFinite else {
                return .diverged("non-finite training loss \(s.meanLoss) in epoch \(number), batch \(i + 1)")
            }
            model.backward()
            if let clip = training.clipNorm {
                let norm = clipGradientNorm(model.store, maxNorm: clip)
                guard norm.isFinite else { return .diverged("non-finite gradient norm in epoch \(number), batch \(i + 1)") }
            }
            optimizer.update(model.store)
            if batches.carriesState { model.carryState() }
            stats += s
            tokens += rows * steps
            // Same count as ModelConfig.trainingFLOPs, without rebuilding the head plan every batch.
            let heads = training.objective == .lastStep ? 1.0 : Double(steps)
            flops += 6 * (Double(steps) * recurrentMACs + heads * headMACs) * Double(rows)
            batchEnded(EpochProgress(epoch: number, batch: i + 1, batches: count, tokens: tokens,
                                     seconds: (clock.now - start).seconds))
        }
        let trainDone = clock.now
        let validation = evaluate(.validation)
        let end = clock.now
        // Perplexity overflows Double (loss > 709 nats) only for a model that has blown up.
        guard validation.lossSum.isFinite, stats.lossSum.isFinite, exp(validation.meanLoss).isFinite else {
            return .diverged("non-finite validation loss or perplexity (loss \(validation.meanLoss)) after epoch \(number)")
        }
        let trainSeconds = (trainDone - start).seconds
        let metrics = EpochMetrics(
            epoch: number, trainLoss: stats.meanLoss, trainAccuracy: stats.accuracy, valLoss: validation.meanLoss,
            valAccuracy: validation.accuracy, valPerplexity: exp(validation.meanLoss), seconds: (end - start).seconds,
            tokensPerSecond: trainSeconds > 0 ? Double(tokens) / trainSeconds : 0)
        epoch = number
        history.append(metrics)
        trainingSeconds += (end - start).seconds
        trainingFLOPs += flops
        return .completed(metrics)
    }

    /// Loss and accuracy over a partition in evaluation mode (running BatchNorm statistics, no
    /// dropout), capped like training by `max_batches_per_epoch`.
    func evaluate(_ partition: Partition) -> LossStatistics {
        ThreadPool.withCurrent(pool) { evaluateBatches(partition) }
    }

    private func evaluateBatches(_ partition: Partition) -> LossStatistics {
        var stats = LossStatistics()
        var unused = SeededGenerator(seed: 0)
        if batches.carriesState { model.resetState(batch: training.batchSize) }
        for i in 0..<capped(batches.batchCount(partition)) {
            let (rows, steps) = batches.fill(i, partition, inputs: inputs, targets: targets)
            guard rows > 0, steps > 0 else { break }
            if !batches.carriesState { model.resetState(batch: rows) }
            model.forward(tokens: inputs, batch: rows, steps: steps, objective: training.objective, training: false, rng: &unused)
            stats += model.loss(targets: targets, computeGradient: false)
            if batches.carriesState { model.carryState() }
        }
        return stats
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
import SystemSupport
