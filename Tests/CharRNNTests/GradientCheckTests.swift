import Testing
@testable import CharRNN

/// Central-difference checks of every parameter gradient on tiny models (the PyTorch fixtures check
/// the same against the reference; this checks the backward passes against the forward alone).
@Suite struct GradientCheckTests {
    struct Case: CustomStringConvertible, Sendable {
        var config: ModelConfig
        var objective: Objective
        var description: String { "\(config.cell) l\(config.layers) f\(config.fcLayers) \(config.input) bn=\(config.batchNorm) \(objective)" }
    }

    static let cases: [Case] = {
        var cases: [Case] = []
        for cell in ModelConfig.Cell.allCases {
            cases.append(Case(config: ModelConfig(vocabSize: 7, cell: cell, layers: 2, hiddenSize: 4, embeddingSize: 3,
                                                  fcLayers: 2, activation: .tanh), objective: .lastStep))
            cases.append(Case(config: ModelConfig(vocabSize: 7, cell: cell, layers: 1, hiddenSize: 4, input: .oneHot,
                                                  fcLayers: 1), objective: .everyStep))
        }
        cases.append(Case(config: ModelConfig(vocabSize: 7, cell: .lstm, hiddenSize: 4, fcLayers: 3, fcHidden: [5, 3],
                                              activation: .tanh, batchNorm: true), objective: .lastStep))
        cases.append(Case(config: ModelConfig(vocabSize: 7, cell: .gru, layers: 2, hiddenSize: 4, fcLayers: 2,
                                              activation: .tanh, batchNorm: true, dropout: 0.3, headDropout: 0.25), objective: .everyStep))
        return cases
    }()

    @Test(arguments: cases)
    func gradientsMatchFiniteDifferences(_ c: Case) throws {
        let batch = 3, steps = 4
        let model = try CharRNNModel(config: c.config, maxBatch: batch, maxSteps: steps)
        var rng = SeededGenerator(seed: 42)
        model.initializeParameters(rng: &rng)
        // Larger weights than the default init so gates leave their linear region.
        for i in 0..<model.store.count { model.store.values[i] *= 1.5 }
        let tokens = [Int32].random(count: batch * steps, below: 7, rng: &rng)
        let targets = [Int32].random(count: c.objective == .lastStep ? batch : batch * steps, below: 7, rng: &rng)

        func loss() -> Double {
            model.resetState(batch: batch)
            var dropoutRNG = SeededGenerator(seed: 9)  // same masks every evaluation
            model.forward(tokens: tokens, batch: batch, steps: steps, objective: c.objective, training: true, rng: &dropoutRNG)
            return model.loss(targets: targets, computeGradient: true).meanLoss
        }

        model.store.zeroGradients()
        _ = loss()
        model.backward()
        let analytic = Array(UnsafeBufferPointer(start: model.store.gradients, count: model.store.count))

        let eps: Float = 1e-2
        var worst = (name: "", index: 0, numeric: 0.0, analytic: 0.0, excess: -Double.infinity)
        for slot in model.store.parameters {
            for i in 0..<slot.count {
                let p = model.store.values + slot.offset + i
                let saved = p.pointee
                p.pointee = saved + eps
                let up = loss()
                p.pointee = saved - eps
                let down = loss()
                p.pointee = saved
                let numeric = (up - down) / (2 * Double(eps))
                let a = Double(analytic[slot.offset + i])
                let excess = abs(numeric - a) - (2e-3 + 2e-2 * abs(numeric))
                if excess > worst.excess { worst = (slot.name, i, numeric, a, excess) }
            }
        }
        #expect(worst.excess <= 0, "\(c): worst \(worst.name)[\(worst.index)] numeric \(worst.numeric) analytic \(worst.analytic)")
        // The gradient is not trivially zero.
        #expect(analytic.contains { abs($0) > 1e-3 })
    }
}
