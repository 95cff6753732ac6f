/// MACs counted the way the original reports' profilers counted them, so our models can be put
/// beside their published numbers. Our own convention (`macsPerChar`) counts the matrix products of
/// the recurrent stack and of the head; the profilers each saw only part of the model:
///
/// - ptflops hooks `nn.RNN`/`nn.GRU`/`nn.LSTM` (and never sees a hand-written head): per step and
///   layer it counts both weight matrices (G·H·In + G·H·H), both biases (2·G·H) and a fixed count
///   of element-wise operations per cell (RNN H, GRU 7H, LSTM 10H), times batch × steps.
/// - calflops patches `torch.nn.functional` calls; the cuDNN-backed recurrent modules and the
///   embedding lookup bypass them, so only the head's Linear layers (in·out per row) are counted.
extension ModelConfig {
    /// ptflops' count of one step of the recurrent stack, for one sequence.
    public var ptflopsRecurrentMACsPerStep: Int {
        let h = hiddenSize
        let elementwise: Int
        switch cell {
        case .rnn: elementwise = h
        case .gru: elementwise = h + 3 * h + 3 * h
        case .lstm: elementwise = 4 * h + 3 * h + 3 * h
        }
        var total = 0
        for k in 0..<layers {
            let inSize = k == 0 ? recurrentInputSize : h
            total += gateCount * h * inSize + gateCount * h * h + elementwise + 2 * gateCount * h
        }
        return total
    }

    /// ptflops' MACs of the recurrent module for an input of `steps` positions (batch × sequence
    /// length, the product of the first two input dimensions it multiplies by).
    public func ptflopsRecurrentMACs(steps: Int) -> Int { ptflopsRecurrentMACsPerStep * steps }

    /// calflops' MACs of one forward pass over `sequences` windows of `sequenceLength` characters:
    /// the head's Linear layers only, applied once per window (last-step) or at every step.
    public func calflopsLinearMACs(objective: Objective, sequenceLength: Int, sequences: Int = 1) -> Int {
        let rows = objective.lossAtEveryStep ? sequenceLength * sequences : sequences
        return headMACs * rows
    }
}

/// The profilers' way of printing a count: the largest of G, M, K that fits, two decimals
/// (ptflops `flops_to_string`, calflops `macs_to_string`), e.g. 991232 → "991.23 K".
public enum ProfilerUnits {
    public static func format(_ value: Int) -> String {
        let units: [(Int, String)] = [(1_000_000_000_000, "T"), (1_000_000_000, "G"), (1_000_000, "M"), (1_000, "K")]
        for (scale, name) in units where value / scale > 0 {
            return twoDecimals(Double(value) / Double(scale)) + " " + name
        }
        return "\(value)"
    }

    /// Python's `round(x, 2)` printed with `str`: trailing zeros dropped, at least one decimal.
    static func twoDecimals(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded(.toNearestOrEven))
        let whole = hundredths / 100, fraction = hundredths % 100
        if fraction == 0 { return "\(whole).0" }
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10)" }
        return "\(whole)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
