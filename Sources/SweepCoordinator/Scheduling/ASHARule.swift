import SweepCore

/// Asynchronous successive halving (Li et al., MLSys 2020) as Ray Tune's AsyncHyperBand runs it:
/// rungs at minEpochs·η^k below maxEpochs. A trial reaching a rung continues iff it ranks in the
/// top ⌈n/η⌉ of the n trials that have reached that rung so far (so the first always continues and
/// no worker ever waits for a rung to fill); otherwise it stops. A stopped trial is promoted when,
/// with more trials at its rung, it ranks in the top ⌈n/η⌉ after all.
public struct ASHARule: EarlyStoppingRule {
    public let rungs: [Int]
    public let reductionFactor: Int
    /// val_loss of every trial that reached each rung epoch.
    private(set) var recorded: [Int: [String: Double]] = [:]
    /// Trials stopped at a rung (and not promoted since), by trial.
    private(set) var stoppedAt: [String: Int] = [:]

    public init(minEpochs: Int, maxEpochs: Int, reductionFactor: Int) {
        self.rungs = EarlyStopping.rungs(minEpochs: minEpochs, maxEpochs: maxEpochs, reductionFactor: reductionFactor)
        self.reductionFactor = max(2, reductionFactor)
    }

    public func decides(at epoch: Int) -> Bool { rungs.contains(epoch) }
    public var promotes: Bool { true }

    public mutating func reached(trialID: String, epoch: Int, valLoss: Double) -> StoppingDecision? {
        guard decides(at: epoch) else { return nil }
        recorded[epoch, default: [:]][trialID] = EarlyStoppingRules.comparable(valLoss)
        stoppedAt[trialID] = nil
        let (rank, count, keep) = standing(of: trialID, at: epoch)
        let where_ = "rung \(epoch): rank \(rank + 1) of \(count), top \(keep) continue"
        if rank < keep { return .proceed(reason: where_) }
        stoppedAt[trialID] = epoch
        return .stop(reason: where_)
    }

    public mutating func promotions() -> [Promotion] {
        var promoted: [Promotion] = []
        for (trialID, epoch) in stoppedAt.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
            let (rank, count, keep) = standing(of: trialID, at: epoch)
            guard rank < keep else { continue }
            stoppedAt[trialID] = nil
            promoted.append(Promotion(trialID: trialID, epoch: epoch,
                                      reason: "rung \(epoch): now rank \(rank + 1) of \(count), top \(keep) continue"))
        }
        return promoted
    }

    public mutating func restore(trialID: String, valLosses: [Int: Double], stoppedAt epoch: Int?) {
        for rung in rungs {
            if let loss = valLosses[rung] { recorded[rung, default: [:]][trialID] = EarlyStoppingRules.comparable(loss) }
        }
        if let epoch, decides(at: epoch), recorded[epoch]?[trialID] != nil { stoppedAt[trialID] = epoch }
    }

    /// The trial's 0-based rank at the rung (ties: the smaller trial id first), how many reached
    /// it, and how many of them continue.
    private func standing(of trialID: String, at epoch: Int) -> (rank: Int, count: Int, keep: Int) {
        let losses = recorded[epoch] ?? [:]
        guard let own = losses[trialID] else { return (losses.count, losses.count, 0) }
        let rank = losses.filter { $0.value < own || ($0.value == own && $0.key < trialID) }.count
        let keep = (losses.count + reductionFactor - 1) / reductionFactor
        return (rank, losses.count, keep)
    }
}
