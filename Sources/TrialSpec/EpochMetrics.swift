/// One epoch's metrics (a `curves.csv` row, a PROGRESS message).
public struct EpochMetrics: Codable, Sendable, Hashable {
    public var epoch: Int
    /// Mean training loss over the epoch's batches (train mode, as the batches were trained).
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var valLoss: Double
    public var valAccuracy: Double
    /// exp(val_loss).
    public var valPerplexity: Double
    /// Wall time of the epoch, training and validation.
    public var seconds: Double
    /// Input characters trained per second of the epoch's training phase.
    public var tokensPerSecond: Double

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, valLoss: Double, valAccuracy: Double,
                valPerplexity: Double, seconds: Double, tokensPerSecond: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.valLoss = valLoss
        self.valAccuracy = valAccuracy
        self.valPerplexity = valPerplexity
        self.seconds = seconds
        self.tokensPerSecond = tokensPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case epoch, trainLoss = "train_loss", trainAccuracy = "train_accuracy", valLoss = "val_loss"
        case valAccuracy = "val_accuracy", valPerplexity = "val_perplexity", seconds
        case tokensPerSecond = "tokens_per_second"
    }
}
