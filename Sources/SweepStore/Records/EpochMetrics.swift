import Foundation
import GRDB

/// Metrics of one training epoch of one attempt.
public struct EpochMetrics: Sendable, Equatable {
    public var trialID: String
    public var attempt: Int
    /// 1-based epoch number.
    public var epoch: Int
    public var trainLoss: Double?
    public var valLoss: Double?
    /// Fraction in [0, 1].
    public var valAccuracy: Double?
    public var valPerplexity: Double?
    /// Wall-clock seconds of this epoch (training and validation).
    public var seconds: Double?
    public var tokensPerSecond: Double?

    public init(trialID: String, attempt: Int, epoch: Int, trainLoss: Double?, valLoss: Double?,
                valAccuracy: Double?, valPerplexity: Double?, seconds: Double?, tokensPerSecond: Double? = nil) {
        self.trialID = trialID
        self.attempt = attempt
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.valLoss = valLoss
        self.valAccuracy = valAccuracy
        self.valPerplexity = valPerplexity
        self.seconds = seconds
        self.tokensPerSecond = tokensPerSecond
    }

    init(row: Row) {
        trialID = row["trial_id"]
        attempt = row["attempt"]
        epoch = row["epoch"]
        trainLoss = row["train_loss"]
        valLoss = row["val_loss"]
        valAccuracy = row["val_accuracy"]
        valPerplexity = row["val_perplexity"]
        seconds = row["seconds"]
        tokensPerSecond = row["tokens_per_second"]
    }
}
