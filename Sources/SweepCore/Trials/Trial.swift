/// One model to train: a grid combination with its identity and seed.
public struct Trial: Sendable, Hashable, Codable {
    /// 1-based position in expansion order (first grid key outermost).
    public var number: Int
    /// First 12 hex characters of SHA-256 of the config's canonical identity JSON.
    public var id: String
    /// Derived from the sweep seed and `id` (`TrialConfig.trialSeed`): the same on any worker.
    public var seed: UInt64
    public var config: TrialConfig
    /// The grid keys' values for this trial, in grid order.
    public var gridValues: [GridValue]

    public init(number: Int, id: String, seed: UInt64, config: TrialConfig, gridValues: [GridValue]) {
        self.number = number
        self.id = id
        self.seed = seed
        self.config = config
        self.gridValues = gridValues
    }

    enum CodingKeys: String, CodingKey {
        case number, id, seed, config
        case gridValues = "grid_values"
    }
}
