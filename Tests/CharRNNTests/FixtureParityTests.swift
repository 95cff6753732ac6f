import Foundation
import Testing
@testable import CharRNN

/// Parity with PyTorch 2.x on the committed fixtures (tools/reference/gen_fixtures.py,
/// docs/reference-tools.md): logits, loss, every gradient by name, BatchNorm running statistics,
/// the carried-state second chunk, five optimizer steps and the final parameters.
@Suite struct FixtureParityTests {
    static let cases = [
        "rnn_l1_f1_last", "lstm_l1_f1_last", "gru_l1_f1_last", "rnn_l2_f2_last", "lstm_l2_f3_last",
        "gru_l2_f2_last", "lstm_l1_f1_every", "gru_l2_f2_every", "rnn_l1_f3_every", "lstm_onehot_f2_last",
        "gru_afterfirst_f1_last", "lstm_afterfirst_f3_last", "lstm_fchidden_f3_last", "gru_bn_f3_last",
        "lstm_bn_f2_every", "rnn_tanh_f2_last", "gru_sgd_f2_last", "lstm_clip_f2_last",
    ]

    struct TrainingKeys: Decodable {
        var objective: Objective
        var batch_size: Int
        var sequence_length: Int
        var optimizer: OptimizerKind
        var learning_rate: Double
        var momentum: Double?
        var clip_norm: Double?
    }

    static func fixture(_ name: String) throws -> SafeTensorsFile {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "safetensors"),
                               "fixture \(name).safetensors missing")
        return try SafeTensorsFile.read(path: url.path)
    }

    static func text(_ file: SafeTensorsFile, _ key: String) throws -> String {
        try #require(file.metadata[key], "\(file.source): no metadata \(key)")
    }

    static func number(_ file: SafeTensorsFile, _ key: String) throws -> Double {
        let s = try text(file, key)
        return try #require(Double(s), "\(file.source): metadata \(key) = \(s) is not a number")
    }

    /// |a − b| <= atol + rtol·|b| everywhere; on failure names the tensor and its worst element.
    static func expectClose(_ a: [Float], _ b: [Float], _ what: String, _ caseName: String,
                            atol: Double = 1e-5, rtol: Double = 1e-4) {
        guard a.count == b.count else {
            Issue.record("\(caseName) \(what): \(a.count) values, reference has \(b.count)")
            return
        }
        let c = Closeness(a, b, atol: atol, rtol: rtol)
        #expect(c.ok, "\(caseName) \(what): largest violation at [\(c.worstIndex)]: ours \(a[max(c.worstIndex, 0)]) vs torch \(b[max(c.worstIndex, 0)]) (|diff| \(c.worstDiff)); max |diff| \(c.maxDiff)")
    }

    /// At every thread count: one, and pools that split every product and batch of these small
    /// fixtures (`SplitPolicy.finest`).
    @Test(arguments: cases, [1, 2, 3])
    func matchesPyTorch(_ name: String, threads: Int) throws {
        let pool = threads > 1 ? ThreadPool(size: threads, policy: .finest) : nil
        try ThreadPool.withCurrent(pool) { try Self.check(name) }
    }

    static func check(_ name: String) throws {
        let file = try Self.fixture(name)
        let configJSON = Data(try Self.text(file, "config").utf8)
        let config = try JSONDecoder().decode(ModelConfig.self, from: configJSON)
        let keys = try JSONDecoder().decode(TrainingKeys.self, from: configJSON)
        let (batch, steps) = (keys.batch_size, keys.sequence_length)
        let model = try CharRNNModel(config: config, maxBatch: batch, maxSteps: steps)
        let store = model.store

        // Every state_dict entry, and nothing we lack.
        for slot in store.parameters { try file.copyFloat32(slot.name, into: store.value(slot.name)) }
        for slot in store.buffers { try file.copyFloat32(slot.name, into: store.bufferValue(slot.name)) }
        for (i, counter) in store.counterNames.enumerated() { store.batchesTracked[i] = try file.int64(counter)[0] }
        let ours = Set(store.stateDictOrder.map(\.name))
        let theirs = Set(file.names.filter { !$0.contains(".") || !["input", "input2", "output", "grad", "after", "adam"].contains(String($0.split(separator: ".")[0])) })
        #expect(ours == theirs, "\(name): state_dict names differ: ours-only \(ours.subtracting(theirs)), torch-only \(theirs.subtracting(ours))")
        let original = Array(UnsafeBufferPointer(start: store.values, count: store.count))

        let tokens = try file.int64("input.tokens").map { Int32($0) }
        let targets = try file.int64("input.targets").map { Int32($0) }
        var rng = SeededGenerator(seed: 1)

        // First forward and backward.
        model.resetState(batch: batch)
        let logits = model.forward(tokens: tokens, batch: batch, steps: steps, objective: keys.objective, training: true, rng: &rng)
        let v = config.vocabSize
        var batchMajor = [Float](repeating: 0, count: model.logitRows * v)
        for b in 0..<batch {
            for t in 0..<(keys.objective == .lastStep ? 1 : steps) {
                let src = model.logitRow(sequence: b, step: t)
                let dst = keys.objective == .lastStep ? b : b * steps + t
                for j in 0..<v { batchMajor[dst * v + j] = logits[src * v + j] }
            }
        }
        Self.expectClose(batchMajor, try file.float32("output.logits"), "output.logits", name)
        store.zeroGradients()
        let loss = model.loss(targets: targets, computeGradient: true).meanLoss
        let refLoss = try Self.number(file, "loss")
        #expect(abs(loss - refLoss) <= 1e-5 + 1e-5 * abs(refLoss), "\(name): loss \(loss) vs torch \(refLoss)")
        model.backward()
        for slot in store.parameters {
            Self.expectClose(Array(store.gradient(slot.name)), try file.float32("grad.\(slot.name)"), "grad.\(slot.name)", name)
        }
        for slot in store.buffers {
            Self.expectClose(Array(store.bufferValue(slot.name)), try file.float32("after.\(slot.name)"), "after.\(slot.name)", name)
        }

        // Second chunk from the carried state (every-step).
        if keys.objective == .everyStep {
            model.carryState()
            let tokens2 = try file.int64("input2.tokens").map { Int32($0) }
            let targets2 = try file.int64("input2.targets").map { Int32($0) }
            model.forward(tokens: tokens2, batch: batch, steps: steps, objective: .everyStep, training: true, rng: &rng)
            let loss2 = model.loss(targets: targets2, computeGradient: false).meanLoss
            let ref2 = try Self.number(file, "loss2")
            #expect(abs(loss2 - ref2) <= 1e-5 + 1e-5 * abs(ref2), "\(name): loss2 \(loss2) vs torch \(ref2)")
        }

        // Five optimizer steps on the same batch from the original parameters.
        store.values.update(from: original, count: store.count)
        let optimizer = makeOptimizer(keys.optimizer, learningRate: keys.learning_rate, momentum: keys.momentum ?? 0,
                                      parameterCount: store.count)
        let refLosses = try JSONDecoder().decode([Double].self, from: Data(try Self.text(file, "adam_losses").utf8))
        for (i, ref) in refLosses.enumerated() {
            model.resetState(batch: batch)
            model.forward(tokens: tokens, batch: batch, steps: steps, objective: keys.objective, training: true, rng: &rng)
            store.zeroGradients()
            let l = model.loss(targets: targets, computeGradient: true).meanLoss
            #expect(abs(l - ref) <= 1e-5 + 1e-4 * abs(ref), "\(name): optimizer step \(i) loss \(l) vs torch \(ref)")
            model.backward()
            if let clip = keys.clip_norm { clipGradientNorm(store, maxNorm: clip) }
            optimizer.update(store)
        }
        for slot in store.parameters {
            let reference = try file.float32("adam.final.\(slot.name)")
            // A Linear bias right before BatchNorm has an analytically zero gradient (BN subtracts the
            // batch mean); both sides see only rounding noise there, which Adam turns into steps of
            // about ±lr in an arbitrary direction. Such tensors are held to the distance Adam can move.
            let zeroGradient = try file.float32("grad.\(slot.name)").allSatisfy { abs($0) < 1e-6 }
            if zeroGradient && keys.optimizer == .adam {
                let bound = Double(refLosses.count) * keys.learning_rate * 1.01
                let start = Array(original[slot.offset..<(slot.offset + slot.count)])
                Self.expectClose(Array(store.value(slot.name)), start, "adam.final.\(slot.name) (zero-gradient, ours)", name, atol: bound, rtol: 0)
                Self.expectClose(reference, start, "adam.final.\(slot.name) (zero-gradient, torch)", name, atol: bound, rtol: 0)
            } else {
                Self.expectClose(Array(store.value(slot.name)), reference, "adam.final.\(slot.name)", name)
            }
        }
    }
}
