/// How far the running epoch has come, handed to `TrainingObserver.batchEnded` after every training
/// batch. A plain value of integers and one double: reporting it allocates nothing.
public struct EpochProgress: Sendable, Equatable {
    /// The epoch being trained (1-based).
    public var epoch: Int
    /// Training batches finished in this epoch.
    public var batch: Int
    /// Training batches the epoch has (after `max_batches_per_epoch`).
    public var batches: Int
    /// Tokens (characters) trained on in this epoch so far.
    public var tokens: Int
    /// Training seconds of this epoch so far (validation not included).
    public var seconds: Double

    public init(epoch: Int, batch: Int, batches: Int, tokens: Int, seconds: Double) {
        self.epoch = epoch; self.batch = batch; self.batches = batches; self.tokens = tokens; self.seconds = seconds
    }

    /// `tokens` ÷ `seconds`; 0 before any time has passed.
    public var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
}
