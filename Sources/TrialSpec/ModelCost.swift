/// Analytic sizes of a model, counted the way PyTorch and ptflops/calflops report nn.RNN/LSTM/GRU
/// and nn.Linear. MACs are those of the matrix products only (per recurrent layer G*H*(In+H) per
/// step, per Linear in*out); element-wise gate math, biases, activations, BatchNorm and the
/// embedding lookup are not counted (< 2 % for H >= 128). One MAC = 2 FLOPs. The trainer reports
/// these and the coordinator schedules with them, so both see the same numbers.
extension ModelConfig {
    /// Width of the vectors fed to the first recurrent layer.
    public var recurrentInputSize: Int { embeddingSize ?? vocabSize }

    /// (inputs, outputs) of each Linear of the head, from the last hidden state to the logits.
    public var headLinearShapes: [(inputs: Int, outputs: Int)] {
        let widths = [hiddenSize] + fcHidden + [vocabSize]
        return zip(widths, widths.dropFirst()).map { (inputs: $0, outputs: $1) }
    }

    /// Trainable parameters, as `sum(p.numel() for p in model.parameters())`.
    public var parameterCount: Int {
        var count = (embeddingSize ?? 0) * vocabSize
        for k in 0..<layers {
            let inSize = k == 0 ? recurrentInputSize : hiddenSize
            count += gateCount * hiddenSize * (inSize + hiddenSize + 2)
        }
        count += headLinearShapes.reduce(0) { $0 + $1.inputs * $1.outputs + $1.outputs }
        if batchNorm { count += 2 * fcHidden.reduce(0, +) }
        return count
    }

    /// Float32 size of the parameters in MiB (params * 4 / 2^20), as the Shakespeare grid reports it.
    public var sizeMB: Double { Double(parameterCount) * 4 / 1_048_576 }

    /// MACs of one recurrent step over the whole stack, for one sequence.
    public var recurrentMACsPerStep: Int {
        var total = 0
        for k in 0..<layers {
            let inSize = k == 0 ? recurrentInputSize : hiddenSize
            total += gateCount * hiddenSize * (inSize + hiddenSize)
        }
        return total
    }

    /// MACs of one application of the head (one row).
    public var headMACs: Int { headLinearShapes.reduce(0) { $0 + $1.inputs * $1.outputs } }

    /// Forward MACs to consume one character and predict the next: one recurrent step plus one head
    /// application (the cost of stateful generation, and of every-step training per token).
    public var macsPerChar: Int { recurrentMACsPerStep + headMACs }

    /// Forward MACs of one training example: last-step runs L recurrent steps and the head once;
    /// every-step runs both at each of the L steps.
    public func forwardMACs(objective: Objective, sequenceLength: Int) -> Int {
        switch objective {
        case .lastStep: sequenceLength * recurrentMACsPerStep + headMACs
        case .everyStep, .windowEveryStep: sequenceLength * macsPerChar
        }
    }

    /// Training FLOPs for `examples` windows (last-step) or chunks of one stream (every-step):
    /// forward + backward ≈ 3 x forward, 2 FLOPs per MAC.
    public func trainingFLOPs(objective: Objective, sequenceLength: Int, examples: Int) -> Double {
        6 * Double(forwardMACs(objective: objective, sequenceLength: sequenceLength)) * Double(examples)
    }
}

extension ModelConfig {
    /// Training FLOPs of a whole run over a text of `tokenCount` tokens, batch by batch as the
    /// batchers cut it and the trainer counts it (6 x forward MACs per row), so the planner's
    /// estimate is the trainer's reported `training_flops`, not an approximation of it.
    public func trainingFLOPs(training: TrainingConfig, split: SplitSpec, tokenCount: Int) -> Double {
        6 * forwardMACsPerEpoch(.training, training: training, split: split, tokenCount: tokenCount)
            * Double(max(training.epochs, 0))
    }

    /// FLOPs of the validation passes after each epoch (forward only, 2 x MACs). Not part of
    /// `training_flops`, but of the `training_seconds` the trainer reports.
    public func validationFLOPs(training: TrainingConfig, split: SplitSpec, tokenCount: Int) -> Double {
        2 * forwardMACsPerEpoch(.validation, training: training, split: split, tokenCount: tokenCount)
            * Double(max(training.epochs, 0))
    }

    public enum Pass: Sendable { case training, validation }

    /// Forward MACs of one pass over a partition, batch by batch as the batchers cut it.
    /// Every-step: B streams of T = (tokens - 1) / B steps in chunks of L, the last one shorter;
    /// last-step: one window every `stride` tokens, batches of B, the last one partial.
    /// `max_batches_per_epoch` caps the chunks or batches of either pass.
    public func forwardMACsPerEpoch(_ pass: Pass, training: TrainingConfig, split: SplitSpec, tokenCount: Int) -> Double {
        let length = training.sequenceLength, batch = training.batchSize
        guard length > 0, batch > 0, training.stride > 0, tokenCount > 0 else { return 0 }
        func windows(_ tokens: Int) -> Int { tokens > length ? (tokens - length - 1) / training.stride + 1 : 0 }
        let train = split.trainingCount(of: tokenCount)
        switch training.objective {
        case .everyStep:
            // Every-step refuses random and windows splits; validation of `none` is the training text.
            guard split.kind != .random, split.kind != .windows else { return 0 }
            let tokens = pass == .training || split.kind == .none ? train : tokenCount - train
            let streamLength = max(tokens - 1, 0) / batch
            let chunks = min((streamLength + length - 1) / length, training.maxBatchesPerEpoch ?? Int.max)
            let steps = min(chunks * length, streamLength)
            return Double(forwardMACs(objective: .everyStep, sequenceLength: steps)) * Double(batch)
        case .lastStep, .windowEveryStep:
            // A last-step window needs its target after it; a window-every-step one its L targets.
            var rows: Int
            switch (split.kind, pass) {
            case (.none, _): rows = windows(tokenCount)
            case (.tail, .training): rows = windows(train)
            case (.tail, .validation): rows = windows(tokenCount - train)
            case (.random, .training): rows = split.trainingCount(of: windows(tokenCount))
            case (.random, .validation): rows = windows(tokenCount) - split.trainingCount(of: windows(tokenCount))
            case (.windows, .training): rows = min(split.trainWindows ?? 0, windows(tokenCount))
            case (.windows, .validation):
                rows = max(0, min(split.validationWindows ?? 0, windows(tokenCount) - (split.trainWindows ?? 0)))
            }
            let rowsPerBatch = training.fullBatch ? max(rows, 1) : batch
            if let cap = training.maxBatchesPerEpoch { rows = min(rows, cap * rowsPerBatch) }
            return Double(forwardMACs(objective: training.objective, sequenceLength: length)) * Double(rows)
        }
    }
}
