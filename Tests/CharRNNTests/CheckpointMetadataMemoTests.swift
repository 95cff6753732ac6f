import Foundation
import Testing
@testable import CharRNN

/// A checkpoint read with a memo is the same checkpoint read without one, and a memo never hands
/// back a value decoded from other text or for another field.
@Suite struct CheckpointMetadataMemoTests {
    /// Two epochs of a tiny trial, as uploaded: their metadata repeats everything but the state.
    static func twoCheckpoints() throws -> [[UInt8]] {
        let text = try TrainingSessionTests.nextcharText()
        let training = TrainingConfig(objective: .lastStep, sequenceLength: 8, batchSize: 4, epochs: 2, learningRate: 0.01,
                                      maxBatchesPerEpoch: 2)
        let recorder = TrainingSessionTests.Recorder()
        _ = try TrainingSession(text: text, model: ModelConfig(cell: .gru, hiddenSize: 8), training: training,
                                generation: GenerationConfig(length: 0), seed: 5)
            .run(observer: recorder, checkpoints: .observer)
        return recorder.encoded.map(\.0)
    }

    @Test func aMemoizedReadIsThePlainRead() throws {
        let uploads = try Self.twoCheckpoints()
        #expect(uploads.count == 2)
        let memo = CheckpointMetadataMemo()
        for (index, bytes) in (uploads + uploads).enumerated() {
            let plain = try TrainingCheckpoint(bytes: bytes, source: "plain")
            let memoized = try TrainingCheckpoint(bytes: bytes, source: "memoized", memo: memo)
            #expect(memoized.model == plain.model && memoized.training == plain.training && memoized.split == plain.split)
            #expect(memoized.generation == plain.generation && memoized.preprocessing == plain.preprocessing)
            #expect(memoized.vocabulary.symbols == plain.vocabulary.symbols && memoized.seed == plain.seed)
            // The state is each upload's own (epoch 1, then 2), never a memoized one.
            #expect(memoized.state == plain.state && memoized.state.epoch == index % 2 + 1)
        }
    }

    @Test func theMemoKeysByFieldAndTextAndStillRejectsBadText() throws {
        let memo = CheckpointMetadataMemo(limit: 2)
        #expect(try memo.value(Int.self, key: "a", text: "1") == 1)
        #expect(try memo.value(Int.self, key: "a", text: "2") == 2)
        // The same text under another field is decoded as that field's type.
        #expect(try memo.value(String.self, key: "b", text: #""1""#) == "1")
        #expect(try memo.value([Int].self, key: "c", text: "[1]") == [1])
        #expect(throws: DecodingError.self) { try memo.value(Int.self, key: "a", text: "x") }
        #expect(try memo.value(Int.self, key: "a", text: "1") == 1)
    }

    @Test func aCheckpointWithBadMetadataIsRejectedAfterAGoodOneWarmedTheMemo() throws {
        let good = try Self.twoCheckpoints()[0]
        let memo = CheckpointMetadataMemo()
        _ = try TrainingCheckpoint(bytes: good, source: "good.safetensors", memo: memo)
        var file = try SafeTensorsFile(bytes: good)
        file.metadata["training"] = #"{"epochs": "two"}"#
        let error = try #require(throws: CheckpointError.self) {
            try TrainingCheckpoint(bytes: file.encoded(), source: "bad.safetensors", memo: memo)
        }
        #expect("\(error)".contains("bad.safetensors") && "\(error)".contains("'training'"))
    }
}
