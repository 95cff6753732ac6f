/// Generates characters from a trained model in evaluation mode, greedily or by temperature
/// sampling from a seeded generator. `window` re-runs the last L characters from a zero state for
/// every new character (the originals' method, O(L) per character); `stateful` carries the
/// recurrent state (O(1) per character).
public final class TextGenerator {
    public let model: CharRNNModel
    /// Context length of window mode (the training sequence length, at most `model.maxSteps`).
    public let window: Int
    private let context: UnsafeMutablePointer<Int32>
    private let probabilities: UnsafeMutablePointer<Double>

    public init(model: CharRNNModel, window: Int) {
        self.model = model
        self.window = max(1, min(window, model.maxSteps))
        context = .allocate(capacity: model.maxSteps)
        context.initialize(repeating: 0, count: model.maxSteps)
        probabilities = .allocate(capacity: model.config.vocabSize)
        probabilities.initialize(repeating: 0, count: model.config.vocabSize)
    }

    deinit {
        context.deallocate()
        probabilities.deallocate()
    }

    /// `length` token ids following `prompt` (which must be non-empty).
    public func generate(prompt: [Int32], length: Int, mode: GenerationConfig.Mode, temperature: Double,
                         rng: inout SeededGenerator) -> [Int32] {
        precondition(!prompt.isEmpty, "generation needs a non-empty prompt")
        var sequence = prompt
        sequence.reserveCapacity(prompt.count + length)
        var unused = SeededGenerator(seed: 0)
        switch mode {
        case .window:
            for _ in 0..<length {
                let n = min(window, sequence.count)
                for i in 0..<n { context[i] = sequence[sequence.count - n + i] }
                model.resetState(batch: 1)
                let logits = model.forward(tokens: context, batch: 1, steps: n, objective: .lastStep, training: false, rng: &unused)
                sequence.append(pick(logits, temperature: temperature, rng: &rng))
            }
        case .stateful:
            model.resetState(batch: 1)
            // The prompt is non-empty, so the loop runs at least once and leaves the logits of its last token.
            var logits: UnsafeMutablePointer<Float>
            var fed = 0
            repeat {
                let n = min(model.maxSteps, prompt.count - fed)
                for i in 0..<n { context[i] = prompt[fed + i] }
                logits = model.forward(tokens: context, batch: 1, steps: n, objective: .lastStep, training: false, rng: &unused)
                model.carryState()
                fed += n
            } while fed < prompt.count
            for _ in 0..<length {
                let next = pick(logits, temperature: temperature, rng: &rng)
                sequence.append(next)
                context[0] = next
                logits = model.forward(tokens: context, batch: 1, steps: 1, objective: .lastStep, training: false, rng: &unused)
                model.carryState()
            }
        }
        return Array(sequence[prompt.count...])
    }

    /// argmax (temperature 0, first maximum on ties) or a draw from softmax(logits / temperature).
    private func pick(_ logits: UnsafePointer<Float>, temperature: Double, rng: inout SeededGenerator) -> Int32 {
        let v = model.config.vocabSize
        var best = 0
        for j in 1..<max(v, 1) where logits[j] > logits[best] { best = j }
        guard temperature > 0 else { return Int32(best) }
        let maxLogit = Double(logits[best])
        var total = 0.0
        for j in 0..<v {
            let p = exp((Double(logits[j]) - maxLogit) / temperature)
            probabilities[j] = p
            total += p
        }
        let u = Double(rng.nextUnitFloat()) * total
        var acc = 0.0
        for j in 0..<v {
            acc += probabilities[j]
            if u < acc { return Int32(j) }
        }
        return Int32(best)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
