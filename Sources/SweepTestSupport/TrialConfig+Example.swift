import TrialSpec

extension TrialConfig {
    /// A small, valid trial config for protocol and service tests.
    public static func example(cell: ModelConfig.Cell = .lstm, hiddenSize: Int = 128, learningRate: Double = 0.002,
                               datasetSHA256: String = String(repeating: "a", count: 64)) -> TrialConfig {
        var training = TrainingConfig()
        training.learningRate = learningRate
        return TrialConfig(model: ModelConfig(cell: cell, hiddenSize: hiddenSize), training: training, split: SplitSpec(),
                           dataset: DatasetSettings(name: "text", sha256: datasetSHA256), generate: GenerationConfig())
    }
}
