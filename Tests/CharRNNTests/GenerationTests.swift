import Testing
@testable import CharRNN

@Suite struct GenerationTests {
    static func model() throws -> CharRNNModel {
        let model = try CharRNNModel(config: ModelConfig(vocabSize: 9, cell: .lstm, layers: 2, hiddenSize: 6, fcLayers: 2),
                                     maxBatch: 2, maxSteps: 24)
        var rng = SeededGenerator(seed: 5)
        model.initializeParameters(rng: &rng)
        for i in 0..<model.store.count { model.store.values[i] *= 3 }  // livelier than the init
        return model
    }

    /// With a window covering the whole sequence, re-running from zero equals carrying the state.
    @Test func statefulEqualsFullWindow() throws {
        let generator = TextGenerator(model: try Self.model(), window: 24)
        var r1 = SeededGenerator(seed: 1), r2 = SeededGenerator(seed: 1)
        let window = generator.generate(prompt: [1, 2, 3], length: 20, mode: .window, temperature: 1, rng: &r1)
        let stateful = generator.generate(prompt: [1, 2, 3], length: 20, mode: .stateful, temperature: 1, rng: &r2)
        #expect(window == stateful)
        #expect(Set(window).count > 1)
    }

    /// A short window forgets: it differs from stateful generation on a long sequence.
    @Test func shortWindowRestartsFromZeroState() throws {
        let generator = TextGenerator(model: try Self.model(), window: 2)
        var r1 = SeededGenerator(seed: 1), r2 = SeededGenerator(seed: 1)
        let window = generator.generate(prompt: [4, 5, 6, 7], length: 30, mode: .window, temperature: 0.9, rng: &r1)
        let stateful = generator.generate(prompt: [4, 5, 6, 7], length: 30, mode: .stateful, temperature: 0.9, rng: &r2)
        #expect(window != stateful)
    }

    @Test func samplingIsSeededAndTemperatureMatters() throws {
        let generator = TextGenerator(model: try Self.model(), window: 8)
        var a = SeededGenerator(seed: 11), b = SeededGenerator(seed: 11), c = SeededGenerator(seed: 12)
        let x = generator.generate(prompt: [0], length: 40, mode: .stateful, temperature: 1.5, rng: &a)
        let y = generator.generate(prompt: [0], length: 40, mode: .stateful, temperature: 1.5, rng: &b)
        let z = generator.generate(prompt: [0], length: 40, mode: .stateful, temperature: 1.5, rng: &c)
        #expect(x == y)
        #expect(x != z)
        #expect(x.allSatisfy { $0 >= 0 && $0 < 9 })
        // Greedy ignores the generator.
        var g1 = SeededGenerator(seed: 1), g2 = SeededGenerator(seed: 2)
        #expect(generator.generate(prompt: [0], length: 10, mode: .stateful, temperature: 0, rng: &g1)
                == generator.generate(prompt: [0], length: 10, mode: .stateful, temperature: 0, rng: &g2))
    }
}
