/// BATCH_PROGRESS, worker to coordinator: how far the running epoch has come (SPEC.md §3.2). Sent
/// at most twice a second and only when `batch` moved, so the coordinator can show a progress bar,
/// a speed and an ETA inside epochs that take minutes.
public struct BatchProgress: Sendable, Hashable, Codable, LeaseClaim {
    public var trialId: String
    public var attempt: Int
    public var leaseId: String
    /// The epoch being trained (1-based).
    public var epoch: Int
    /// Training batches finished in this epoch, 0…`batches`.
    public var batch: Int
    /// Training batches the epoch has (after `max_batches_per_epoch`).
    public var batches: Int
    /// Tokens (characters) trained on in this epoch so far.
    public var tokens: Int
    /// `tokens` ÷ the epoch's training seconds so far.
    public var tokensPerSecond: Double
    /// Threads the latest batch trained with (elastic cores; absent from older workers).
    public var threads: Int?

    public init(trialId: String, attempt: Int, leaseId: String, epoch: Int, batch: Int, batches: Int, tokens: Int,
                tokensPerSecond: Double, threads: Int? = nil) {
        self.trialId = trialId; self.attempt = attempt; self.leaseId = leaseId; self.epoch = epoch
        self.batch = batch; self.batches = batches; self.tokens = tokens; self.tokensPerSecond = tokensPerSecond
        self.threads = threads
    }

    enum CodingKeys: String, CodingKey {
        case trialId = "trial_id", attempt, leaseId = "lease_id", epoch, batch, batches, tokens,
             tokensPerSecond = "tokens_per_second", threads
    }
}
