import Foundation
import TrialSpec
import SweepWorker

/// A trainer that takes no time: each epoch reports made-up, falling losses and (if asked) a
/// stand-in checkpoint, then the trial completes. The worker neither reads nor checks checkpoint
/// bytes, so worker-side tests need no real ones. Trials `held` wait until `release()`, so a
/// test can keep a worker busy for as long as it needs.
final class InstantTrainer: TrialTrainer, @unchecked Sendable {
    private let condition = NSCondition()
    private var released = false
    private let sendsCheckpoints: Bool
    private let held: @Sendable (TrialJob) -> Bool

    init(sendsCheckpoints: Bool = false, held: @escaping @Sendable (TrialJob) -> Bool = { _ in false }) {
        self.sendsCheckpoints = sendsCheckpoints
        self.held = held
    }

    /// Lets held trials run.
    func release() {
        condition.lock(); released = true; condition.broadcast(); condition.unlock()
    }

    func run(_ job: TrialJob, events: TrialEvents) -> TrialEnd {
        if held(job) {
            condition.lock()
            while !released, !events.isCancelled { _ = condition.wait(until: Date().addingTimeInterval(0.01)) }
            condition.unlock()
        }
        let epochs = job.config.training.epochs
        for epoch in 1...max(1, epochs) {
            if events.isCancelled { return .cancelled }
            let loss = 3.0 / Double(epoch)
            events.epochEnded(EpochMetrics(epoch: epoch, trainLoss: loss, trainAccuracy: 0.1, valLoss: loss + 0.1, valAccuracy: 0.1,
                                           valPerplexity: exp(loss + 0.1), seconds: 0.01, tokensPerSecond: 1000))
            if sendsCheckpoints { events.checkpointEncoded(Array("checkpoint \(job.trialID) \(epoch)".utf8), epoch: epoch) }
        }
        let loss = 3.0 / Double(epochs) + 0.1
        return .completed(ResultMetrics(epochsRun: epochs, bestEpoch: epochs, trainLoss: loss - 0.1, valLoss: loss,
                                        valAccuracy: 0.5, valPerplexity: 3.0, samples: ["hello"]))
    }
}
