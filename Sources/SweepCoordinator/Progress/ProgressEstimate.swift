/// Time-left arithmetic shared by the live view and `coordinator status`. Running trials are
/// timed by their own measured speed (BATCH_PROGRESS); trials not started by the plan's cost
/// model (`TrainingCost` FLOPs ÷ a `SpeedBook` speed). Validation passes are not in a running
/// trial's estimate (they cost a few per cent of an epoch).
public enum ProgressEstimate {
    /// Seconds a running trial still trains: the batches left in this epoch and the epochs after
    /// it, at the tokens per batch and tokens per second it measured in this epoch. Nil before
    /// its first batch.
    public static func runningSeconds(epoch: Int, epochs: Int, batch: Int, batches: Int, tokens: Int,
                                      tokensPerSecond: Double) -> Double? {
        guard batch > 0, batches > 0, tokens > 0, tokensPerSecond.isFinite, tokensPerSecond > 0 else { return nil }
        let tokensPerBatch = Double(tokens) / Double(batch)
        let batchesLeft = Double(max(0, batches - batch)) + Double(max(0, epochs - epoch)) * Double(batches)
        return batchesLeft * tokensPerBatch / tokensPerSecond
    }

    /// The fraction of a trial's training done (0…1): finished epochs plus this epoch's batches.
    public static func fraction(epoch: Int, epochs: Int, batch: Int, batches: Int) -> Double? {
        guard epochs > 0, batches > 0, epoch >= 1 else { return nil }
        let done = Double(min(epoch, epochs) - 1) + Double(min(max(batch, 0), batches)) / Double(batches)
        return min(1, max(0, done / Double(epochs)))
    }

    /// GFLOP/s a running trial achieves: its training FLOPs per token (`estimatedCost` over all
    /// its epochs' tokens) times its tokens per second.
    public static func runningGFLOPS(estimatedCost: Double?, epochs: Int, batch: Int, batches: Int, tokens: Int,
                                     tokensPerSecond: Double) -> Double? {
        guard let cost = estimatedCost, cost.isFinite, cost > 0, epochs > 0, batch > 0, batches > 0, tokens > 0,
              tokensPerSecond.isFinite, tokensPerSecond > 0 else { return nil }
        let tokensPerTrial = Double(tokens) / Double(batch) * Double(batches) * Double(epochs)
        return cost / tokensPerTrial * tokensPerSecond / 1e9
    }

    /// Seconds a trial not started needs: its estimated training FLOPs at `gflops`, less the
    /// fraction of its epochs already done (a requeued trial resumes from its checkpoint), plus
    /// the measured per-trial `overhead` (setup, sampling, delivery).
    public static func plannedSeconds(estimatedCost: Double?, gflops: Double?, fractionDone: Double = 0,
                                      overhead: Double = 0) -> Double? {
        guard let cost = estimatedCost, cost.isFinite, cost > 0, let gflops, gflops.isFinite, gflops > 0 else { return nil }
        return cost / (gflops * 1e9) * (1 - min(1, max(0, fractionDone))) + max(0, overhead.isFinite ? overhead : 0)
    }

    /// Seconds until the sweep ends: the work left spread over the workers, but never less than
    /// the longest running trial. Trials without an estimate count as the mean of those with one;
    /// nil when nothing can be estimated.
    public static func sweepSeconds(trials: [Double?], longestRunning: Double?, workers: Int) -> Double? {
        let known = trials.compactMap { $0 }.filter { $0.isFinite && $0 >= 0 }
        if trials.isEmpty { return longestRunning ?? 0 }
        guard !known.isEmpty else { return nil }
        let mean = known.reduce(0, +) / Double(known.count)
        let total = known.reduce(0, +) + mean * Double(trials.count - known.count)
        return max(longestRunning ?? 0, total / Double(max(1, workers)))
    }
}
