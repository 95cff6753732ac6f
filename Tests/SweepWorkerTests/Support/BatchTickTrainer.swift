import Foundation
import SweepWorker
import TrialSpec

/// A trainer that keeps finishing batches of epoch 1 (one every millisecond of real time, each 64
/// tokens at 6,400 tokens/s) until `release()`, then ends its epochs at once and completes: a test
/// sees a stream of ever newer batch reports for as long as it needs.
final class BatchTickTrainer: TrialTrainer, @unchecked Sendable {
    static let batches = 1_000_000
    private let lock = NSLock()
    private var released = false

    func release() { lock.lock(); released = true; lock.unlock() }
    private var isReleased: Bool { lock.lock(); defer { lock.unlock() }; return released }

    func run(_ job: TrialJob, events: TrialEvents) -> TrialEnd {
        var batch = 0
        while !isReleased, batch < Self.batches {
            if events.isCancelled { return .cancelled }
            batch += 1
            events.batchEnded(EpochProgress(epoch: 1, batch: batch, batches: Self.batches, tokens: 64 * batch,
                                            seconds: Double(batch) / 100))
            Thread.sleep(forTimeInterval: 0.001)
        }
        let epochs = job.config.training.epochs
        for epoch in 1...max(1, epochs) {
            events.epochEnded(EpochMetrics(epoch: epoch, trainLoss: 2, trainAccuracy: 0.1, valLoss: 2.1, valAccuracy: 0.1,
                                           valPerplexity: 8, seconds: 1, tokensPerSecond: 6_400))
        }
        return .completed(ResultMetrics(epochsRun: epochs, trainLoss: 2, valLoss: 2.1, samples: ["x"]))
    }
}
