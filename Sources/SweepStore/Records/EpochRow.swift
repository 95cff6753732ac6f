import Foundation
import GRDB

/// A stored epoch: one attempt's metrics of one epoch, as read back. SQLite keeps a non-finite
/// number as NULL, so a metric that was NaN or infinite reads back as nil.
public struct EpochRow: Sendable, Equatable {
    public var trialID: String
    /// The attempt that trained this epoch.
    public var attempt: Int
    /// 1-based epoch number.
    public var epoch: Int
    public var trainLoss: Double?
    /// Fraction in [0, 1]; nil in rows stored before the column existed.
    public var trainAccuracy: Double?
    public var valLoss: Double?
    /// Fraction in [0, 1].
    public var valAccuracy: Double?
    public var valPerplexity: Double?
    /// Wall-clock seconds of this epoch (training and validation).
    public var seconds: Double?
    public var tokensPerSecond: Double?

    init(row: Row) {
        trialID = row["trial_id"]
        attempt = row["attempt"]
        epoch = row["epoch"]
        trainLoss = row["train_loss"]
        trainAccuracy = row["train_accuracy"]
        valLoss = row["val_loss"]
        valAccuracy = row["val_accuracy"]
        valPerplexity = row["val_perplexity"]
        seconds = row["seconds"]
        tokensPerSecond = row["tokens_per_second"]
    }
}
