import SweepCore

/// What an early-stopping rule decided about a trial at an epoch; `reason` is for people.
public enum StoppingDecision: Sendable, Equatable {
    case proceed(reason: String)
    case stop(reason: String)
}

/// A stopped trial that may continue now.
public struct Promotion: Sendable, Equatable {
    public let trialID: String
    /// The epoch it stopped at, whose checkpoint it resumes from.
    public let epoch: Int
    public let reason: String
}

/// An early-stopping rule as a pure value: the scheduler feeds it each trial's val_loss as epochs
/// are reported and acts on what it returns. Lower val_loss is better; a non-finite one is worst.
public protocol EarlyStoppingRule: Sendable {
    /// Whether the rule judges trials at `epoch`.
    func decides(at epoch: Int) -> Bool
    /// Whether a trial it stops may be promoted later. Then each decision waits until the
    /// epoch's checkpoint is stored, so a promoted trial resumes exactly there.
    var promotes: Bool { get }
    /// A trial reached `epoch` with `valLoss`; nil when the rule has nothing to say yet.
    /// `closedThrough`: no other unfinished trial can still report an epoch up to this one (the
    /// scheduler knows; a finite sweep's rungs close one after another as it ends).
    mutating func reached(trialID: String, epoch: Int, valLoss: Double, closedThrough: Int) -> StoppingDecision?
    /// Stopped trials that qualify to continue now (each returned once); `closedThrough` as above.
    mutating func promotions(closedThrough: Int) -> [Promotion]
    /// What a previous run recorded: a trial's val_loss by epoch, and where it stopped if it did.
    mutating func restore(trialID: String, valLosses: [Int: Double], stoppedAt: Int?)
}

public enum EarlyStoppingRules {
    /// The rule a sweep file's `early_stopping` section asks for (nil: none, maybe only a budget).
    public static func make(_ spec: EarlyStopping?) -> (any EarlyStoppingRule)? {
        guard let rule = spec?.rule else { return nil }
        switch rule {
        case .asha(let minimum, let maximum, let factor):
            return ASHARule(minEpochs: minimum, maxEpochs: maximum, reductionFactor: factor)
        case .median(let grace, let minTrials):
            return MedianRule(graceEpochs: grace, minTrials: minTrials)
        case .budgetOnly:
            return nil
        }
    }

    /// Losses compare with NaN and infinities last.
    static func comparable(_ loss: Double) -> Double { loss.isFinite ? loss : .infinity }
}
