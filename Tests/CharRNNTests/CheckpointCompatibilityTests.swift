import Foundation
import Testing
@testable import CharRNN

/// Checkpoints written before the config types were shared with the sweep tooling record a
/// one-hot model's embedding_size, no sweep seed or max_attempts, and the trainer's old
/// generation defaults spelled out. A trial must still resume from them.
@Suite struct CheckpointCompatibilityTests {
    @Test func checkpointWithTheEarlierMetadataResumes() throws {
        let text = try TrainingSessionTests.nextcharText()
        let model = ModelConfig(cell: .gru, hiddenSize: 8, input: .oneHot)
        let training = TrainingConfig(objective: .lastStep, sequenceLength: 8, batchSize: 4, epochs: 2, learningRate: 0.01,
                                      maxBatchesPerEpoch: 3)
        var firstHalf = training
        firstHalf.epochs = 1
        let dir = TrainingSessionTests.temporaryDirectory("compat")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recorder = TrainingSessionTests.Recorder()
        _ = try TrainingSession(text: text, model: model, training: firstHalf, generation: GenerationConfig(length: 5), seed: 3)
            .run(observer: recorder, checkpointDirectory: dir)
        let path = try #require(recorder.checkpoints.last?.0)

        var checkpoint = try TrainingCheckpoint.read(path: path)
        let vocab = checkpoint.model.vocabSize
        checkpoint.file.metadata["config"] = #"{"activation":"relu","batch_norm":false,"cell":"gru","dropout":0,"embedding_size":8,"#
            + #""fc_hidden":[],"fc_layers":1,"head_activation":"between","head_dropout":0,"hidden_size":8,"input":"one-hot","#
            + #""layers":1,"vocab_size":\#(vocab)}"#
        checkpoint.file.metadata["training"] = #"{"batch_size":4,"checkpoint_every":1,"epochs":2,"learning_rate":0.01,"#
            + #""max_batches_per_epoch":3,"momentum":0,"objective":"last-step","optimizer":"adam","sequence_length":8,"stride":1}"#
        checkpoint.file.metadata["generate"] = #"{"length":5,"mode":"window","prompt_slices":[],"prompts":[],"temperature":0}"#
        try checkpoint.file.write(to: path)

        let earlier = try TrainingCheckpoint.read(path: path)
        var expected = model
        expected.vocabSize = vocab
        #expect(earlier.model == expected && earlier.model.embeddingSize == nil)
        #expect(earlier.training == training)
        #expect(earlier.generation == GenerationConfig(length: 5, mode: .window))
        let resumed = try TrainingSession(resumingFrom: path, text: text)
        #expect(resumed.epochsCompleted == 1)
        #expect(try resumed.run().status == .completed)
    }
}
