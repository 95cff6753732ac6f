import Foundation
import Testing
@testable import CharRNN

@Suite struct ParameterCountTests {
    @Test func designExamples() {
        #expect(ModelConfig(vocabSize: 65, cell: .lstm, hiddenSize: 128).parameterCount == 148_801)
        #expect(ModelConfig(vocabSize: 65, cell: .gru, hiddenSize: 128).parameterCount == 115_777)
        #expect(ModelConfig(vocabSize: 65, cell: .gru, hiddenSize: 256, fcLayers: 2).parameterCount == 493_889)
        #expect(ModelConfig(vocabSize: 65, cell: .lstm, hiddenSize: 512, fcLayers: 3).parameterCount == 2_693_185)
    }

    /// All 54 rows of the Shakespeare grid's published results: parameters and size (MB).
    @Test func shakespeareGridRows() throws {
        let url = dataDirectory().appendingPathComponent("model_results_spear.csv")
        let rows = parseCSV(try String(contentsOf: url, encoding: .utf8))
        let header = try #require(rows.first)
        let col = { (name: String) throws -> Int in try #require(header.firstIndex(of: name), "column \(name)") }
        let (cellCol, hiddenCol, fcCol, paramCol, sizeCol) = (try col("RNN Type"), try col("Hidden Size"),
                                                             try col("Fully Connected Layers"), try col("Parameters"), try col("Size (MB)"))
        let data = rows.dropFirst().filter { $0.count == header.count }
        #expect(data.count == 54)
        for row in data {
            let cell = try #require(ModelConfig.Cell(rawValue: row[cellCol].lowercased()))
            let config = ModelConfig(vocabSize: 65, cell: cell, hiddenSize: Int(row[hiddenCol])!, fcLayers: Int(row[fcCol])!,
                                     headActivation: .afterFirst)
            #expect(config.parameterCount == Int(row[paramCol])!, "\(row[cellCol]) H\(row[hiddenCol]) f\(row[fcCol])")
            #expect(abs(config.sizeMB - Double(row[sizeCol])!) < 1e-9)
            // The store holds exactly that many floats.
            #expect(ParameterStore(parameters: config.parameterShapes, buffers: [], counters: []).count == config.parameterCount)
        }
    }

    @Test func stateDictNamesAndOrder() {
        let config = ModelConfig(vocabSize: 11, cell: .gru, layers: 2, hiddenSize: 5, fcLayers: 3, batchNorm: true, headDropout: 0.2)
        #expect(config.parameterShapes.map(\.0) == [
            "embedding.weight",
            "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
            "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1",
            "fc.0.weight", "fc.0.bias", "fc.1.weight", "fc.1.bias",
            "fc.4.weight", "fc.4.bias", "fc.5.weight", "fc.5.bias",
            "fc.8.weight", "fc.8.bias",
        ])
        let store = ParameterStore(parameters: config.parameterShapes, buffers: config.bufferShapes, counters: config.counterNames)
        let order = store.stateDictOrder.map(\.name)
        #expect(order.firstIndex(of: "fc.1.running_mean")! == order.firstIndex(of: "fc.1.bias")! + 1)
        #expect(order.firstIndex(of: "fc.1.num_batches_tracked")! == order.firstIndex(of: "fc.1.running_var")! + 1)
        #expect(order.count == 19 + 6)
        #expect(store.parameter("rnn.weight_ih_l0")!.shape == [15, 5])
        #expect(store.parameter("rnn.weight_ih_l1")!.shape == [15, 5])
    }

    @Test func afterFirstHeadPlacesOneActivation() {
        let f1 = ModelConfig(vocabSize: 11, cell: .lstm, hiddenSize: 5, headActivation: .afterFirst)
        #expect(f1.headModules == [.linear(inputs: 5, outputs: 11), .activation(.relu)])
        let f3 = ModelConfig(vocabSize: 11, cell: .lstm, hiddenSize: 5, fcLayers: 3, headActivation: .afterFirst)
        #expect(f3.headModules == [.linear(inputs: 5, outputs: 5), .activation(.relu), .linear(inputs: 5, outputs: 5),
                                   .linear(inputs: 5, outputs: 11)])
        let oneHot = ModelConfig(vocabSize: 11, cell: .rnn, hiddenSize: 5, input: .oneHot)
        #expect(oneHot.parameterShapes.first!.0 == "rnn.weight_ih_l0")
        #expect(oneHot.parameterShapes.first!.1 == [5, 11])
    }

    @Test func macsAndFlops() {
        let c = ModelConfig(vocabSize: 65, cell: .lstm, hiddenSize: 128)
        // 4H(E+H) + H·V
        #expect(c.macsPerChar == 4 * 128 * 256 + 128 * 65)
        #expect(c.forwardMACs(objective: .lastStep, sequenceLength: 20) == 20 * 4 * 128 * 256 + 128 * 65)
        #expect(c.trainingFLOPs(objective: .everyStep, sequenceLength: 10, examples: 3) == 6 * 30 * Double(c.macsPerChar))
    }

    @Test func configJSONRoundTripAndDefaults() throws {
        let json = #"{"vocab_size":65,"cell":"gru","hidden_size":100,"fc_layers":3,"fc_hidden":[128,64],"input":"one-hot"}"#
        let c = try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8))
        #expect(c.fcHidden == [128, 64] && c.layers == 1 && c.embeddingSize == nil && c.headActivation == .between)
        let back = try JSONDecoder().decode(ModelConfig.self, from: try JSONEncoder().encode(c))
        #expect(back == c)
        let bad = #"{"vocab_size":65,"cell":"gru","hidden_size":100,"fc_layers":2,"fc_hidden":[128,64]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ModelConfig.self, from: Data(bad.utf8)) }
        #expect(throws: ModelConfigError.self) { try ModelConfig(vocabSize: 65, cell: .lstm, layers: 9, hiddenSize: 8).validate() }
        #expect(throws: ModelConfigError.self) { try ModelConfig(vocabSize: 65, cell: .lstm, hiddenSize: 8, dropout: 1).validate() }
    }
}
