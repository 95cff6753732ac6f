import Foundation
import SystemSupport
import Testing
@testable import CharRNN

/// `training.threads` and `TrainingSession.useThreads` reach the trainer, and a whole session on
/// several threads ends with the bits of the one-thread session.
@Suite struct TrainingThreadsTests {
    /// Large enough for the production split thresholds (64 sequences → blocks of 16).
    static func session(threads: Int) throws -> TrainingSession {
        try TrainingSession(
            text: try TrainingSessionTests.nextcharText(),
            model: ModelConfig(vocabSize: 0, cell: .lstm, layers: 2, hiddenSize: 64, fcLayers: 2),
            training: TrainingConfig(objective: .lastStep, sequenceLength: 12, batchSize: 64, epochs: 2,
                                     learningRate: 0.005, maxBatchesPerEpoch: 4, threads: threads),
            generation: GenerationConfig(length: 10), seed: 21)
    }

    @Test func sessionsOnTwoAndThreeThreadsMatchOneThread() throws {
        let one = try Self.session(threads: 1)
        let two = try Self.session(threads: 2)
        // Switched between epochs: 3 threads for the first, 2 for the second.
        let switching = try Self.session(threads: 3)
        #expect(one.threads == 1 && two.threads == 2 && switching.threads == 3)
        let reports = try [one.run(), two.run()]
        _ = switching.trainer.runEpoch(isCancelled: { false })
        try switching.useThreads(2)
        #expect(switching.threads == 2)
        let switched = try switching.run()
        func bits(_ s: TrainingSession) -> [UInt32] {
            UnsafeBufferPointer(start: s.model.store.values, count: s.model.store.count).map(\.bitPattern)
        }
        #expect(bits(two) == bits(one))
        #expect(bits(switching) == bits(one))
        #expect(reports[1].metrics.history.map(\.valLoss) == reports[0].metrics.history.map(\.valLoss))
        #expect(switched.metrics.history.map(\.trainLoss) == reports[0].metrics.history.map(\.trainLoss))
    }

    /// Asks for a new thread count before given batches and records what the trainer applied.
    final class Switcher: TrainingObserver {
        var plan: [String: ThreadPlacement]
        var nextBatch = (epoch: 1, batch: 1)
        var applied: [String] = []
        init(_ plan: [String: ThreadPlacement]) { self.plan = plan }
        func epochEnded(_ metrics: EpochMetrics) { nextBatch = (metrics.epoch + 1, 1) }
        func batchEnded(_ progress: EpochProgress) { nextBatch = (progress.epoch, progress.batch + 1) }
        var isCancelled: Bool { false }
        func threadChange() -> ThreadPlacement? { plan.removeValue(forKey: "\(nextBatch.epoch).\(nextBatch.batch)") }
        func threadsApplied(_ threads: Int) { applied.append("\(nextBatch.epoch).\(nextBatch.batch):\(threads)") }
    }

    @Test func threadCountsChangedBetweenBatchesOfAnEpochKeepTheBits() throws {
        let one = try Self.session(threads: 1)
        let reference = try one.run()
        let switching = try Self.session(threads: 1)
        let cores = (CPUAffinity.allowed() ?? [])
        // Pinned to this process's first cores when it has three, else left to its affinity.
        let cpus = cores.count >= 3 ? Array(cores.prefix(3)) : []
        let observer = Switcher(["1.2": ThreadPlacement(threads: 3, cpus: cpus), "2.3": ThreadPlacement(threads: 2)])
        let report = try switching.run(observer: observer)
        #expect(observer.applied == ["1.2:3", "2.3:2"])
        #expect(switching.threads == 2)
        func bits(_ s: TrainingSession) -> [UInt32] {
            UnsafeBufferPointer(start: s.model.store.values, count: s.model.store.count).map(\.bitPattern)
        }
        #expect(bits(switching) == bits(one))
        #expect(report.metrics.history.map(\.trainLoss.bitPattern) == reference.metrics.history.map(\.trainLoss.bitPattern))
        #expect(report.metrics.history.map(\.valLoss.bitPattern) == reference.metrics.history.map(\.valLoss.bitPattern))
    }

    @Test func threadCountsOutsideTheRangeAreRejected() throws {
        #expect(throws: ModelConfigError.self) { try Self.session(threads: 0) }
        #expect(throws: ModelConfigError.self) { try Self.session(threads: ThreadPool.maximumSize + 1) }
        let session = try Self.session(threads: 1)
        #expect(throws: ModelConfigError.self) { try session.useThreads(0) }
        #expect(session.threads == 1)
    }
}
