/// What the trainer checks of the shared training vocabulary.
extension TrainingConfig {
    /// Throws a `ModelConfigError` naming the first impossible field.
    public func validate() throws {
        func fail(_ f: String, _ v: Any, _ why: String) -> ModelConfigError { ModelConfigError(field: f, value: "\(v)", reason: why) }
        if sequenceLength < 1 { throw fail("sequence_length", sequenceLength, "must be >= 1") }
        if stride < 1 { throw fail("stride", stride, "must be >= 1") }
        if batchSize < 1 { throw fail("batch_size", batchSize, "must be >= 1") }
        if epochs < 1 { throw fail("epochs", epochs, "must be >= 1") }
        if !(learningRate > 0 && learningRate.isFinite) { throw fail("learning_rate", learningRate, "must be a positive number") }
        if !(momentum >= 0 && momentum < 1) { throw fail("momentum", momentum, "must be in [0, 1)") }
        if let c = clipNorm, !(c > 0 && c.isFinite) { throw fail("clip_norm", c, "must be a positive number or null") }
        if checkpointEvery < 1 { throw fail("checkpoint_every", checkpointEvery, "must be >= 1") }
        if let m = maxBatchesPerEpoch, m < 1 { throw fail("max_batches_per_epoch", m, "must be >= 1") }
        if fullBatch && objective == .everyStep {
            throw fail("full_batch", fullBatch, "needs a windowed objective (last-step or window-every-step)")
        }
        if !(1...ThreadPool.maximumSize).contains(threads) {
            throw fail("threads", threads, "must be in 1...\(ThreadPool.maximumSize)")
        }
    }
}

extension GenerationConfig {
    public func validate() throws {
        if length < 0 { throw ModelConfigError(field: "generate.length", value: "\(length)", reason: "must be >= 0") }
        if !(temperature >= 0 && temperature.isFinite) {
            throw ModelConfigError(field: "generate.temperature", value: "\(temperature)", reason: "must be >= 0")
        }
        if let p = prompts.firstIndex(where: \.isEmpty) {
            throw ModelConfigError(field: "generate.prompts[\(p)]", value: "\"\"", reason: "a prompt needs at least one character")
        }
        for (i, s) in promptSlices.enumerated() where s.offset < 0 || s.length < 1 {
            throw ModelConfigError(field: "generate.prompt_slices[\(i)]", value: "{offset: \(s.offset), length: \(s.length)}",
                                   reason: "offset must be >= 0 and length >= 1")
        }
    }
}
