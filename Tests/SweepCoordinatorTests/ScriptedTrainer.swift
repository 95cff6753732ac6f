import Foundation
import SweepWorker
import TrialSpec

/// A stand-in trainer with scripted timing and losses: each epoch takes `epochSeconds` and reports
/// made-up losses, and hands over the real checkpoint of that epoch (the coordinator inspects
/// them), taken from one real run of the trial cached per trial; a later attempt resumes from the
/// epoch its checkpoint holds. A learning rate above 1 diverges at epoch 2; a learning rate of
/// exactly 0.5 hangs its first attempt (stops polling `isCancelled`) for `hangSeconds`.
final class ScriptedTrainer: TrialTrainer, @unchecked Sendable {
    let epochSeconds: Double
    private let lock = NSLock()
    private var startedEpochs: [String: [Int]] = [:]

    var hangSeconds = 4.0

    init(epochSeconds: Double) { self.epochSeconds = epochSeconds }

    /// The first epoch each attempt of a trial trained (1 = from scratch).
    func firstEpochs(_ trialID: String) -> [Int] { lock.lock(); defer { lock.unlock() }; return startedEpochs[trialID] ?? [] }

    func run(_ job: TrialJob, events: TrialEvents) -> TrialEnd {
        let checkpoints = realCheckpoints(job)
        var epoch = 0
        if let resume = job.resumeFrom, let bytes = try? [UInt8](Data(contentsOf: resume)),
           let saved = checkpoints.first(where: { $0.value == bytes })?.key {
            epoch = saved
        }
        lock.lock(); startedEpochs[job.trialID, default: []].append(epoch + 1); lock.unlock()
        let epochs = job.config.training.epochs
        if job.config.training.learningRate == 0.5, job.attempt == 1 {
            Thread.sleep(forTimeInterval: hangSeconds)   // a hung trainer: no polls, no epochs
            return .cancelled
        }
        while epoch < epochs {
            let end = Date().addingTimeInterval(epochSeconds)
            while Date() < end {
                if events.isCancelled { return .cancelled }
                usleep(10_000)
            }
            epoch += 1
            if job.config.training.learningRate > 1, epoch == 2 {
                return .diverged(message: "loss is nan at epoch 2", ResultMetrics(epochsRun: 1))
            }
            let loss = 3.0 / Double(epoch)
            events.epochEnded(EpochMetrics(epoch: epoch, trainLoss: loss, trainAccuracy: 0.1 * Double(epoch), valLoss: loss + 0.1,
                                           valAccuracy: 0.1 * Double(epoch), valPerplexity: exp(loss + 0.1), seconds: epochSeconds,
                                           tokensPerSecond: 1000))
            // A learning rate of 0.25 plays a broken peer: from epoch 2 on it sends the previous
            // epoch's (genuine) checkpoint as this epoch's.
            let claimed = job.config.training.learningRate == 0.25 && epoch >= 2 ? epoch - 1 : epoch
            if let bytes = checkpoints[claimed] { events.checkpointEncoded(bytes, epoch: epoch) }
        }
        return .completed(ResultMetrics(
            epochsRun: epochs, bestEpoch: epochs, trainLoss: 3.0 / Double(epochs), valLoss: 3.0 / Double(epochs) + 0.1,
            valAccuracy: 0.5, valPerplexity: 3.0, overfitPct: 3.3, trainingSeconds: 1.0, inferenceSecondsPer1000: 0.01,
            msPerChar: 0.01, sizeMB: 0.005, macsPerChar: 1000, trainingFlops: 1e9, tokensPerSecond: 1000, samples: ["hello"]))
    }

    private func realCheckpoints(_ job: TrialJob) -> [Int: [UInt8]] { RealCheckpoints.byEpoch(for: job) }
}
