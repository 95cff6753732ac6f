/// The model section of a trial, fully resolved (see docs/sweep-file.md for every key).
public struct ModelSettings: Codable, Sendable, Hashable {
    public enum Cell: String, Codable, Sendable, CaseIterable { case rnn, lstm, gru }
    public enum Input: String, Codable, Sendable, CaseIterable { case embedding, oneHot = "one-hot" }
    public enum HeadActivation: String, Codable, Sendable, CaseIterable { case between, afterFirst = "after-first" }
    public enum Activation: String, Codable, Sendable, CaseIterable { case relu, tanh }

    public var cell: Cell
    public var layers: Int
    public var hiddenSize: Int
    public var input: Input
    /// nil exactly when `input` is one-hot.
    public var embeddingSize: Int?
    public var fcLayers: Int
    /// `fcLayers - 1` widths of the hidden Linear layers of the head.
    public var fcHidden: [Int]
    public var headActivation: HeadActivation
    public var activation: Activation
    public var batchNorm: Bool
    public var dropout: Double
    public var headDropout: Double

    public init(
        cell: Cell = .lstm, layers: Int = 1, hiddenSize: Int = 128, input: Input = .embedding,
        embeddingSize: Int? = nil, fcLayers: Int = 1, fcHidden: [Int]? = nil,
        headActivation: HeadActivation = .between, activation: Activation = .relu,
        batchNorm: Bool = false, dropout: Double = 0, headDropout: Double = 0
    ) {
        self.cell = cell
        self.layers = layers
        self.hiddenSize = hiddenSize
        self.input = input
        self.embeddingSize = input == .oneHot ? nil : (embeddingSize ?? hiddenSize)
        self.fcLayers = fcLayers
        self.fcHidden = fcHidden ?? Array(repeating: hiddenSize, count: max(fcLayers - 1, 0))
        self.headActivation = headActivation
        self.activation = activation
        self.batchNorm = batchNorm
        self.dropout = dropout
        self.headDropout = headDropout
    }

    enum CodingKeys: String, CodingKey {
        case cell, layers, input, activation, dropout
        case hiddenSize = "hidden_size"
        case embeddingSize = "embedding_size"
        case fcLayers = "fc_layers"
        case fcHidden = "fc_hidden"
        case headActivation = "head_activation"
        case batchNorm = "batch_norm"
        case headDropout = "head_dropout"
    }
}
