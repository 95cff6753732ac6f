import Testing
@testable import CharRNN

/// Layer 0's input projection as a V-row table lookup must give the logits and every gradient of the
/// dense path (gather embedding/one-hot rows, then multiply).
@Suite struct TokenInputProjectionTests {
    struct Case: CustomStringConvertible, Sendable {
        var config: ModelConfig
        var objective: Objective
        /// Above 32 sequences the scatter adds groups of 32 sequences separately (70: three groups,
        /// the last one of 6).
        var batch = 5
        var description: String { "\(config.cell) l\(config.layers) \(config.input) \(objective) B\(batch)" }
    }

    static let cases: [Case] = ModelConfig.Cell.allCases.flatMap { cell in
        [Case(config: ModelConfig(vocabSize: 11, cell: cell, layers: 2, hiddenSize: 12, embeddingSize: 9, fcLayers: 2),
              objective: .lastStep),
         Case(config: ModelConfig(vocabSize: 11, cell: cell, hiddenSize: 8, input: .oneHot), objective: .everyStep),
         Case(config: ModelConfig(vocabSize: 11, cell: cell, hiddenSize: 8, embeddingSize: 6), objective: .everyStep, batch: 70)]
    }

    func run(_ c: Case, minimumRows: Int) throws -> (logits: [Float], gradients: [Float]) {
        let batch = c.batch, steps = 6
        let model = try CharRNNModel(config: c.config, maxBatch: batch, maxSteps: steps, objective: nil,
                                     tokenLookupMinimumRows: minimumRows)
        var rng = SeededGenerator(seed: 7)
        model.initializeParameters(rng: &rng)
        // Repeated symbols, so the per-symbol scatter-add sums several rows.
        let tokens = [Int32].random(count: batch * steps, below: 4, rng: &rng)
        let targets = [Int32].random(count: c.objective == .lastStep ? batch : batch * steps, below: 11, rng: &rng)
        model.resetState(batch: batch)
        var dropoutRNG = SeededGenerator(seed: 1)
        let logits = model.forward(tokens: tokens, batch: batch, steps: steps, objective: c.objective, training: true, rng: &dropoutRNG)
        let out = Array(UnsafeBufferPointer(start: logits, count: model.logitRows * c.config.vocabSize))
        model.store.zeroGradients()
        _ = model.loss(targets: targets, computeGradient: true)
        model.backward()
        return (out, Array(UnsafeBufferPointer(start: model.store.gradients, count: model.store.count)))
    }

    @Test(arguments: cases)
    func lookupMatchesDensePath(_ c: Case) throws {
        let lookup = try run(c, minimumRows: 1)
        let dense = try run(c, minimumRows: .max)
        let logits = Closeness(lookup.logits, dense.logits, atol: 1e-6, rtol: 1e-5)
        #expect(logits.ok, "\(c): logits differ by \(logits.maxDiff) at \(logits.worstIndex)")
        let grads = Closeness(lookup.gradients, dense.gradients, atol: 1e-6, rtol: 1e-4)
        #expect(grads.ok, "\(c): gradients differ by \(grads.maxDiff) at \(grads.worstIndex)")
        #expect(dense.gradients.contains { abs($0) > 1e-4 })
    }
}
