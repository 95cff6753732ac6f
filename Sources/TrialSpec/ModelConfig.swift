/// The model section of a trial in the snake_case vocabulary shared by sweep files, the wire,
/// the store and checkpoints. Absent keys take the defaults of `init`.
public struct ModelConfig: Codable, Sendable, Hashable {
    public enum Cell: String, Codable, Sendable, CaseIterable { case rnn, lstm, gru }
    public enum Input: String, Codable, Sendable, CaseIterable { case embedding, oneHot = "one-hot" }
    public enum HeadActivation: String, Codable, Sendable, CaseIterable { case between, afterFirst = "after-first" }
    public enum Activation: String, Codable, Sendable, CaseIterable { case relu, tanh }
    /// How checkpoints name the head's tensors: `sequential` counts every module of an
    /// `nn.Sequential` (`fc.0`, `fc.2`, …); `module-list` counts only the Linear layers, as an
    /// `nn.ModuleList` of Linears does (`fc.0`, `fc.1`, …; BatchNorm has no place in it).
    public enum HeadNames: String, Codable, Sendable, CaseIterable { case sequential, moduleList = "module-list" }

    /// Symbols in the vocabulary; 0 until a training session sets it from the corpus. A sweep
    /// trial never knows it, so 0 is left out of the JSON (and of the trial id).
    public var vocabSize: Int
    public var cell: Cell
    public var layers: Int
    public var hiddenSize: Int
    public var input: Input
    /// nil exactly when `input` is one-hot; otherwise `hiddenSize` unless given.
    public var embeddingSize: Int?
    /// Widths of the head's hidden Linear layers; `count == fcLayers - 1`.
    public var fcHidden: [Int]
    public var headActivation: HeadActivation
    public var activation: Activation
    public var batchNorm: Bool
    public var dropout: Double
    public var headDropout: Double
    public var headNames: HeadNames

    public var fcLayers: Int { fcHidden.count + 1 }

    public init(vocabSize: Int = 0, cell: Cell = .lstm, layers: Int = 1, hiddenSize: Int = 128, input: Input = .embedding,
                embeddingSize: Int? = nil, fcLayers: Int = 1, fcHidden: [Int]? = nil,
                headActivation: HeadActivation = .between, activation: Activation = .relu,
                batchNorm: Bool = false, dropout: Double = 0, headDropout: Double = 0, headNames: HeadNames = .sequential) {
        self.vocabSize = vocabSize
        self.cell = cell
        self.layers = layers
        self.hiddenSize = hiddenSize
        self.input = input
        self.embeddingSize = input == .oneHot ? nil : (embeddingSize ?? hiddenSize)
        self.fcHidden = fcHidden ?? Array(repeating: hiddenSize, count: max(0, fcLayers - 1))
        self.headActivation = headActivation
        self.activation = activation
        self.batchNorm = batchNorm
        self.dropout = dropout
        self.headDropout = headDropout
        self.headNames = headNames
    }

    /// Number of gate blocks stacked in each weight matrix (PyTorch: RNN 1, LSTM 4 [i|f|g|o], GRU 3 [r|z|n]).
    public var gateCount: Int {
        switch cell { case .rnn: 1; case .lstm: 4; case .gru: 3 }
    }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", cell, layers, hiddenSize = "hidden_size", input
        case embeddingSize = "embedding_size", fcLayers = "fc_layers", fcHidden = "fc_hidden"
        case headActivation = "head_activation", activation, batchNorm = "batch_norm", dropout
        case headDropout = "head_dropout", headNames = "head_names"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let fcLayers = try c.decodeIfPresent(Int.self, forKey: .fcLayers)
        let fcHidden = try c.decodeIfPresent([Int].self, forKey: .fcHidden)
        if let fcLayers, let fcHidden, fcHidden.count != fcLayers - 1 {
            throw DecodingError.dataCorruptedError(
                forKey: .fcHidden, in: c,
                debugDescription: "fc_hidden has \(fcHidden.count) widths but fc_layers = \(fcLayers) needs \(fcLayers - 1)")
        }
        let defaults = ModelConfig()
        // Older checkpoints record an embedding_size for one-hot input too; init drops it.
        self.init(
            vocabSize: try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? defaults.vocabSize,
            cell: try c.decodeIfPresent(Cell.self, forKey: .cell) ?? defaults.cell,
            layers: try c.decodeIfPresent(Int.self, forKey: .layers) ?? defaults.layers,
            hiddenSize: try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? defaults.hiddenSize,
            input: try c.decodeIfPresent(Input.self, forKey: .input) ?? defaults.input,
            embeddingSize: try c.decodeIfPresent(Int.self, forKey: .embeddingSize),
            fcLayers: fcLayers ?? (fcHidden.map { $0.count + 1 } ?? defaults.fcLayers),
            fcHidden: fcHidden,
            headActivation: try c.decodeIfPresent(HeadActivation.self, forKey: .headActivation) ?? defaults.headActivation,
            activation: try c.decodeIfPresent(Activation.self, forKey: .activation) ?? defaults.activation,
            batchNorm: try c.decodeIfPresent(Bool.self, forKey: .batchNorm) ?? defaults.batchNorm,
            dropout: try c.decodeIfPresent(Double.self, forKey: .dropout) ?? defaults.dropout,
            headDropout: try c.decodeIfPresent(Double.self, forKey: .headDropout) ?? defaults.headDropout,
            headNames: try c.decodeIfPresent(HeadNames.self, forKey: .headNames) ?? defaults.headNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if vocabSize != 0 { try c.encode(vocabSize, forKey: .vocabSize) }
        try c.encode(cell, forKey: .cell)
        try c.encode(layers, forKey: .layers)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(input, forKey: .input)
        try c.encodeIfPresent(embeddingSize, forKey: .embeddingSize)
        try c.encode(fcLayers, forKey: .fcLayers)
        try c.encode(fcHidden, forKey: .fcHidden)
        try c.encode(headActivation, forKey: .headActivation)
        try c.encode(activation, forKey: .activation)
        try c.encode(batchNorm, forKey: .batchNorm)
        try c.encode(dropout, forKey: .dropout)
        try c.encode(headDropout, forKey: .headDropout)
        // Written only when not the default, so configs without it keep their trial ids.
        if headNames != .sequential { try c.encode(headNames, forKey: .headNames) }
    }
}
