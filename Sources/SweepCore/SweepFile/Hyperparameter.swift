/// The model and training keys: one flat namespace shared by the `model` and `training` sections
/// and the `grid`.
struct Hyperparameter: Sendable {
    enum Section: String, Sendable { case model, training }

    let name: String
    let section: Section
    let rule: ValueRule
    /// Execution-only keys (checkpoint interval, retries) are not hyperparameters of a trial and
    /// cannot be swept.
    let gridable: Bool

    static let all: [Hyperparameter] = [
        // model
        .init(name: "cell", section: .model, rule: .choice(of: ModelConfig.Cell.self), gridable: true),
        .init(name: "layers", section: .model, rule: .integer(1...8, expected: "an integer in 1...8"), gridable: true),
        .init(name: "hidden_size", section: .model, rule: .positiveInteger, gridable: true),
        .init(name: "input", section: .model, rule: .choice(of: ModelConfig.Input.self), gridable: true),
        .init(name: "embedding_size", section: .model, rule: .positiveInteger, gridable: true),
        .init(name: "fc_layers", section: .model, rule: .positiveInteger, gridable: true),
        .init(name: "fc_hidden", section: .model, rule: .positiveIntegerList, gridable: true),
        .init(name: "head_activation", section: .model, rule: .choice(of: ModelConfig.HeadActivation.self), gridable: true),
        .init(name: "activation", section: .model, rule: .choice(of: ModelConfig.Activation.self), gridable: true),
        .init(name: "batch_norm", section: .model, rule: .boolean, gridable: true),
        .init(name: "dropout", section: .model, rule: .probability, gridable: true),
        .init(name: "head_dropout", section: .model, rule: .probability, gridable: true),
        .init(name: "head_names", section: .model, rule: .choice(of: ModelConfig.HeadNames.self), gridable: true),
        // training
        .init(name: "objective", section: .training, rule: .choice(of: Objective.self), gridable: true),
        .init(name: "sequence_length", section: .training, rule: .positiveInteger, gridable: true),
        .init(name: "stride", section: .training, rule: .positiveInteger, gridable: true),
        .init(name: "batch_size", section: .training, rule: .positiveInteger, gridable: true),
        .init(name: "epochs", section: .training, rule: .positiveInteger, gridable: true),
        .init(name: "learning_rate", section: .training, rule: .positiveNumber, gridable: true),
        .init(name: "optimizer", section: .training, rule: .choice(of: OptimizerKind.self), gridable: true),
        .init(name: "momentum", section: .training, rule: .probability, gridable: true),
        .init(name: "clip_norm", section: .training, rule: .nullable(.positiveNumber), gridable: true),
        .init(name: "seed", section: .training, rule: .nonNegativeInteger, gridable: true),
        .init(name: "checkpoint_every", section: .training, rule: .positiveInteger, gridable: false),
        .init(name: "max_attempts", section: .training, rule: .positiveInteger, gridable: false),
        .init(name: "threads", section: .training, rule: .integer(1...256, expected: "an integer in 1...256"), gridable: false),
        .init(name: "max_batches_per_epoch", section: .training, rule: .nullable(.positiveInteger), gridable: true),
        .init(name: "full_batch", section: .training, rule: .boolean, gridable: true),
    ]

    static func named(_ name: String) -> Hyperparameter? { all.first { $0.name == name } }

    static func names(in section: Section) -> [String] { all.filter { $0.section == section }.map(\.name) }

    static var gridableNames: [String] { all.filter(\.gridable).map(\.name) }
}
