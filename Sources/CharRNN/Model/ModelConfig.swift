// The config types live in TrialSpec, shared with the sweep tooling; the trainer's API uses them as its own.
@_exported import TrialSpec

/// What the trainer checks before it builds a model.
extension ModelConfig {
    /// Throws a `ModelConfigError` naming the first impossible field.
    public func validate() throws {
        func fail(_ field: String, _ value: String, _ why: String) -> ModelConfigError {
            ModelConfigError(field: field, value: value, reason: why)
        }
        if vocabSize < 1 { throw fail("vocab_size", "\(vocabSize)", "must be >= 1 (a training session sets it from the corpus)") }
        if !(1...8).contains(layers) { throw fail("layers", "\(layers)", "must be in 1...8") }
        if hiddenSize < 1 { throw fail("hidden_size", "\(hiddenSize)", "must be >= 1") }
        if let embeddingSize, embeddingSize < 1 {
            throw fail("embedding_size", "\(embeddingSize)", "must be >= 1")
        }
        if let bad = fcHidden.first(where: { $0 < 1 }) {
            throw fail("fc_hidden", "\(fcHidden)", "width \(bad) must be >= 1")
        }
        if !(dropout >= 0 && dropout < 1) { throw fail("dropout", "\(dropout)", "must be in [0, 1)") }
        if !(headDropout >= 0 && headDropout < 1) {
            throw fail("head_dropout", "\(headDropout)", "must be in [0, 1)")
        }
        if headNames == .moduleList && batchNorm {
            throw fail("head_names", "module-list", "names only Linear layers and cannot hold the head's BatchNorm")
        }
    }
}

public struct ModelConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let value: String
    public let reason: String
    public var description: String { "model config: \(field) = \(value): \(reason)" }
}
