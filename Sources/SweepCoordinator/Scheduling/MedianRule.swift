/// The median stopping rule (as in Google Vizier and Optuna's MedianPruner): at epoch e after
/// `graceEpochs`, a trial stops when its best val_loss so far is worse than the median of the
/// other trials' val_loss at e. It needs `minTrials` other trials at e to judge; its stops are final.
public struct MedianRule: EarlyStoppingRule {
    public let graceEpochs: Int
    public let minTrials: Int
    /// Every trial's val_loss by epoch.
    private(set) var losses: [String: [Int: Double]] = [:]

    public init(graceEpochs: Int, minTrials: Int) {
        self.graceEpochs = max(0, graceEpochs)
        self.minTrials = max(1, minTrials)
    }

    public func decides(at epoch: Int) -> Bool { true }
    public var promotes: Bool { false }

    public mutating func reached(trialID: String, epoch: Int, valLoss: Double, closedThrough: Int) -> StoppingDecision? {
        losses[trialID, default: [:]][epoch] = EarlyStoppingRules.comparable(valLoss)
        guard epoch > graceEpochs else { return nil }
        let others = losses.compactMap { $0.key == trialID ? nil : $0.value[epoch] }.sorted()
        guard others.count >= minTrials else { return nil }
        let middle = others.count / 2
        let median = others.count % 2 == 1 ? others[middle] : (others[middle - 1] + others[middle]) / 2
        let best = (losses[trialID] ?? [:]).filter { $0.key <= epoch }.values.min() ?? .infinity
        let text = String(format: "epoch %d: best %.4f vs median %.4f of %d others", epoch, best, median, others.count)
        return best > median ? .stop(reason: text) : .proceed(reason: text)
    }

    public mutating func promotions(closedThrough: Int) -> [Promotion] { [] }

    public mutating func restore(trialID: String, valLosses: [Int: Double], stoppedAt: Int?) {
        for (epoch, loss) in valLosses { losses[trialID, default: [:]][epoch] = EarlyStoppingRules.comparable(loss) }
    }
}
