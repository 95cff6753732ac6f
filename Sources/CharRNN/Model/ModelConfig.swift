/// The model hyperparameters, in the shared snake_case vocabulary (DESIGN.md §2, common brief).
/// Missing optional keys take the documented defaults; `validate()` rejects impossible values.
public struct ModelConfig: Codable, Sendable, Equatable, Hashable {
    public enum Cell: String, Codable, Sendable, CaseIterable { case rnn, lstm, gru }
    public enum Input: String, Codable, Sendable { case embedding, oneHot = "one-hot" }
    public enum HeadActivation: String, Codable, Sendable { case between, afterFirst = "after-first" }
    public enum Activation: String, Codable, Sendable { case relu, tanh }

    /// Symbols in the vocabulary. Optional in JSON (0): a TrainingSession sets it from the corpus.
    public var vocabSize: Int
    public var cell: Cell
    public var layers: Int
    public var hiddenSize: Int
    public var input: Input
    /// Embedding width; equals `hiddenSize` unless given. Ignored for one-hot input.
    public var embeddingSize: Int
    /// Widths of the head's hidden Linear layers; `count == fcLayers - 1`.
    public var fcHidden: [Int]
    public var headActivation: HeadActivation
    public var activation: Activation
    public var batchNorm: Bool
    public var dropout: Double
    public var headDropout: Double

    public var fcLayers: Int { fcHidden.count + 1 }

    public init(vocabSize: Int, cell: Cell, layers: Int = 1, hiddenSize: Int, input: Input = .embedding,
                embeddingSize: Int? = nil, fcLayers: Int = 1, fcHidden: [Int]? = nil,
                headActivation: HeadActivation = .between, activation: Activation = .relu,
                batchNorm: Bool = false, dropout: Double = 0, headDropout: Double = 0) {
        self.vocabSize = vocabSize
        self.cell = cell
        self.layers = layers
        self.hiddenSize = hiddenSize
        self.input = input
        self.embeddingSize = embeddingSize ?? hiddenSize
        self.fcHidden = fcHidden ?? Array(repeating: hiddenSize, count: max(0, fcLayers - 1))
        self.headActivation = headActivation
        self.activation = activation
        self.batchNorm = batchNorm
        self.dropout = dropout
        self.headDropout = headDropout
    }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", cell, layers, hiddenSize = "hidden_size", input
        case embeddingSize = "embedding_size", fcLayers = "fc_layers", fcHidden = "fc_hidden"
        case headActivation = "head_activation", activation, batchNorm = "batch_norm", dropout
        case headDropout = "head_dropout"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let hidden = try c.decode(Int.self, forKey: .hiddenSize)
        let fcLayers = try c.decodeIfPresent(Int.self, forKey: .fcLayers)
        let fcHidden = try c.decodeIfPresent([Int].self, forKey: .fcHidden)
        if let fcLayers, let fcHidden, fcHidden.count != fcLayers - 1 {
            throw DecodingError.dataCorruptedError(
                forKey: .fcHidden, in: c,
                debugDescription: "fc_hidden has \(fcHidden.count) widths but fc_layers = \(fcLayers) needs \(fcLayers - 1)")
        }
        self.init(
            vocabSize: try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? 0,
            cell: try c.decode(Cell.self, forKey: .cell),
            layers: try c.decodeIfPresent(Int.self, forKey: .layers) ?? 1,
            hiddenSize: hidden,
            input: try c.decodeIfPresent(Input.self, forKey: .input) ?? .embedding,
            embeddingSize: try c.decodeIfPresent(Int.self, forKey: .embeddingSize),
            fcLayers: fcLayers ?? (fcHidden.map { $0.count + 1 } ?? 1),
            fcHidden: fcHidden,
            headActivation: try c.decodeIfPresent(HeadActivation.self, forKey: .headActivation) ?? .between,
            activation: try c.decodeIfPresent(Activation.self, forKey: .activation) ?? .relu,
            batchNorm: try c.decodeIfPresent(Bool.self, forKey: .batchNorm) ?? false,
            dropout: try c.decodeIfPresent(Double.self, forKey: .dropout) ?? 0,
            headDropout: try c.decodeIfPresent(Double.self, forKey: .headDropout) ?? 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(cell, forKey: .cell)
        try c.encode(layers, forKey: .layers)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(input, forKey: .input)
        try c.encode(embeddingSize, forKey: .embeddingSize)
        try c.encode(fcLayers, forKey: .fcLayers)
        try c.encode(fcHidden, forKey: .fcHidden)
        try c.encode(headActivation, forKey: .headActivation)
        try c.encode(activation, forKey: .activation)
        try c.encode(batchNorm, forKey: .batchNorm)
        try c.encode(dropout, forKey: .dropout)
        try c.encode(headDropout, forKey: .headDropout)
    }

    /// Width of the vectors fed to the first recurrent layer.
    public var recurrentInputSize: Int { input == .embedding ? embeddingSize : vocabSize }

    /// Number of gate blocks stacked in each weight matrix (PyTorch: RNN 1, LSTM 4 [i|f|g|o], GRU 3 [r|z|n]).
    public var gateCount: Int {
        switch cell { case .rnn: 1; case .lstm: 4; case .gru: 3 }
    }

    /// Throws a `ModelConfigError` naming the first impossible field.
    public func validate() throws {
        func fail(_ field: String, _ value: String, _ why: String) -> ModelConfigError {
            ModelConfigError(field: field, value: value, reason: why)
        }
        if vocabSize < 1 { throw fail("vocab_size", "\(vocabSize)", "must be >= 1 (a training session sets it from the corpus)") }
        if !(1...8).contains(layers) { throw fail("layers", "\(layers)", "must be in 1...8") }
        if hiddenSize < 1 { throw fail("hidden_size", "\(hiddenSize)", "must be >= 1") }
        if input == .embedding && embeddingSize < 1 {
            throw fail("embedding_size", "\(embeddingSize)", "must be >= 1")
        }
        if let bad = fcHidden.first(where: { $0 < 1 }) {
            throw fail("fc_hidden", "\(fcHidden)", "width \(bad) must be >= 1")
        }
        if !(dropout >= 0 && dropout < 1) { throw fail("dropout", "\(dropout)", "must be in [0, 1)") }
        if !(headDropout >= 0 && headDropout < 1) {
            throw fail("head_dropout", "\(headDropout)", "must be in [0, 1)")
        }
    }
}

public struct ModelConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let value: String
    public let reason: String
    public var description: String { "model config: \(field) = \(value): \(reason)" }
}

/// Where the loss is taken: the originals' last step of each window, or char-rnn's every step.
public enum Objective: String, Codable, Sendable { case lastStep = "last-step", everyStep = "every-step" }
