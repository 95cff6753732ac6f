/// Everything that defines one trial, fully resolved (no defaults left to fill). Encodes as JSON
/// with snake_case keys in sections `model`, `training`, `split`, `dataset`, `generate`; this is
/// the config that travels to workers in ASSIGN and is stored with every result.
public struct TrialConfig: Codable, Sendable, Hashable {
    public var model: ModelConfig
    public var training: TrainingConfig
    public var split: SplitSpec
    public var dataset: DatasetSettings
    public var generate: GenerationConfig

    public init(model: ModelConfig, training: TrainingConfig, split: SplitSpec, dataset: DatasetSettings, generate: GenerationConfig) {
        self.model = model
        self.training = training
        self.split = split
        self.dataset = dataset
        self.generate = generate
    }
}
