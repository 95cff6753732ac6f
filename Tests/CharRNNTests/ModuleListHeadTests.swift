import Foundation
import Testing
@testable import CharRNN

/// `head_names: "module-list"` names the head's tensors as the original Shakespeare-grid model class
/// does (an nn.ModuleList of its Linear layers: fc.0, fc.1, fc.2), so that class loads our
/// checkpoints with strict=True. The fixture holds that class's own state_dict and logits
/// (tools/reference/gen_module_list_fixture.py).
@Suite struct ModuleListHeadTests {
    static func fixture() throws -> SafeTensorsFile {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/original_modulelist_lstm_f3", withExtension: "safetensors"))
        return try SafeTensorsFile.read(path: url.path)
    }

    @Test func theOriginalClassesStateDictLoadsByNameAndShapeAndComputesTheSameLogits() throws {
        let file = try Self.fixture()
        let config = try JSONDecoder().decode(ModelConfig.self, from: Data(try #require(file.metadata["config"]).utf8))
        #expect(config.headNames == .moduleList)
        let model = try CharRNNModel(config: config, maxBatch: 3, maxSteps: 5)
        let stateNames = Set(file.names.filter { !$0.hasPrefix("input.") && !$0.hasPrefix("output.") })
        #expect(Set(model.store.parameters.map(\.name)) == stateNames)
        #expect(stateNames.isSuperset(of: ["fc.0.weight", "fc.1.weight", "fc.2.weight"]))
        for (name, shape) in config.parameterShapes {
            #expect(try file.tensor(name).shape == shape, "\(name)")
            try file.copyFloat32(name, into: model.store.value(name))
        }
        let tokens = try file.int64("input.tokens").map { Int32($0) }
        var rng = SeededGenerator(seed: 1)
        model.resetState(batch: 3)
        let logits = model.forward(tokens: tokens, batch: 3, steps: 5, objective: .lastStep, training: false, rng: &rng)
        let reference = try file.float32("output.logits")
        let ours = Array(UnsafeBufferPointer(start: logits, count: reference.count))
        for (a, b) in zip(ours, reference) { #expect(abs(a - b) <= 1e-5 + 1e-4 * abs(b), "logit \(a) vs torch \(b)") }
    }

    @Test func sequentialAndModuleListNameTheSameTensorsDifferently() {
        let sequential = ModelConfig(vocabSize: 65, cell: .gru, hiddenSize: 8, fcLayers: 3, headActivation: .afterFirst)
        var moduleList = sequential
        moduleList.headNames = .moduleList
        let head = { (c: ModelConfig) in c.parameterShapes.map(\.0).filter { $0.hasPrefix("fc.") } }
        #expect(head(sequential) == ["fc.0.weight", "fc.0.bias", "fc.2.weight", "fc.2.bias", "fc.3.weight", "fc.3.bias"])
        #expect(head(moduleList) == ["fc.0.weight", "fc.0.bias", "fc.1.weight", "fc.1.bias", "fc.2.weight", "fc.2.bias"])
        #expect(sequential.parameterShapes.map(\.1) == moduleList.parameterShapes.map(\.1))
    }

    @Test func aCheckpointKeepsModuleListNamesThroughAResume() throws {
        let text = String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 20)
        let model = ModelConfig(cell: .lstm, hiddenSize: 8, fcLayers: 3, headActivation: .afterFirst, headNames: .moduleList)
        let training = TrainingConfig(objective: .lastStep, sequenceLength: 8, batchSize: 16, epochs: 1, maxBatchesPerEpoch: 2)
        let session = try TrainingSession(text: text, model: model, training: training, generation: GenerationConfig(length: 0), seed: 5)
        _ = try session.run(checkpoints: nil)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("modulelist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("c.safetensors").path
        try session.checkpoint().file.write(to: path)
        let written = try SafeTensorsFile.read(path: path)
        let fixtureNames = Set(try Self.fixture().names.filter { $0.hasPrefix("fc.") })
        #expect(Set(written.names.filter { $0.hasPrefix("fc.") }) == fixtureNames)
        let resumed = try TrainingSession(resumingFrom: path, text: text)
        #expect(resumed.model.config.headNames == .moduleList)
    }
}

/// d2l's `<unk>` token and its window split with targets at every step.
@Suite struct D2LDataTests {
    @Test func theUnknownTokenSortsAsD2LsVocabDoes() throws {
        let vocabulary = Vocabulary(text: "b a c", unknownToken: true)
        #expect(vocabulary.symbols == [" ", Vocabulary.unknownSymbol, "a", "b", "c"])
        #expect(try vocabulary.encode("a?z") == [2, 1, 1])
        #expect(Vocabulary(text: "b a c").unknownID == nil)
        let decoded = try JSONDecoder().decode(Vocabulary.self, from: JSONEncoder().encode(vocabulary))
        #expect(decoded == vocabulary && decoded.unknownID == 1)
    }

    @Test func windowsSplitTakesTheFirstAndNextWindowsWithEveryStepTargets() throws {
        let tokens = (0..<40).map(Int32.init)
        var batcher = try LastStepBatcher(tokens: tokens, sequenceLength: 4,
                                          split: SplitSpec(kind: .windows, trainWindows: 10, validationWindows: 5), seed: 1)
        #expect(batcher.windowStarts(partition: .validation) == [10, 11, 12, 13, 14])
        batcher.beginEpoch(1)
        #expect(batcher.windowStarts(partition: .train).sorted() == Array(0..<10))
        var inputs = [Int32](repeating: -1, count: 8), targets = [Int32](repeating: -1, count: 8)
        let rows = batcher.fillEveryStep(batch: 0, batchSize: 2, partition: .validation, inputs: &inputs, targets: &targets)
        #expect(rows == 2)
        #expect(inputs == [10, 11, 12, 13, 11, 12, 13, 14])
        #expect(targets == [11, 12, 13, 14, 12, 13, 14, 15])
        #expect(throws: DataError.self) {
            _ = try LastStepBatcher(tokens: tokens, sequenceLength: 4, split: SplitSpec(kind: .windows, trainWindows: 30, validationWindows: 7), seed: 1)
        }
    }
}
