/// Analytic compute cost, counted the way ptflops/calflops report nn.RNN/LSTM/GRU and nn.Linear:
/// multiply-accumulates of the matrix products only (per recurrent layer G*H*(In+H) per step, per
/// Linear in*out). Element-wise gate math, biases, activations, BatchNorm and the embedding lookup are
/// not counted (they are < 2 % for H >= 128). One MAC = 2 FLOPs.
extension ModelConfig {
    /// MACs of one recurrent step over the whole stack, for one sequence.
    public var recurrentMACsPerStep: Int {
        let g = gateCount * hiddenSize
        var total = 0
        for k in 0..<layers {
            let inSize = k == 0 ? recurrentInputSize : hiddenSize
            total += g * (inSize + hiddenSize)
        }
        return total
    }

    /// MACs of one application of the head (one row).
    public var headMACs: Int {
        headModules.reduce(0) { acc, m in
            if case let .linear(i, o) = m { return acc + i * o }
            return acc
        }
    }

    /// Forward MACs to consume one character and predict the next: one recurrent step plus one head
    /// application (the cost of stateful generation, and of every-step training per token).
    public var macsPerChar: Int { recurrentMACsPerStep + headMACs }

    /// Forward MACs of one training example: last-step runs L recurrent steps and the head once;
    /// every-step runs both at each of the L steps.
    public func forwardMACs(objective: Objective, sequenceLength: Int) -> Int {
        switch objective {
        case .lastStep: sequenceLength * recurrentMACsPerStep + headMACs
        case .everyStep: sequenceLength * macsPerChar
        }
    }

    /// Training FLOPs for `examples` windows (last-step) or chunks of one stream (every-step):
    /// forward + backward ≈ 3 x forward, 2 FLOPs per MAC.
    public func trainingFLOPs(objective: Objective, sequenceLength: Int, examples: Int) -> Double {
        6 * Double(forwardMACs(objective: objective, sequenceLength: sequenceLength)) * Double(examples)
    }
}
