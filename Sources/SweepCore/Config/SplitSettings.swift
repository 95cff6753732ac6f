/// How the text is divided into training and validation data.
public struct SplitSettings: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The last `fraction` of the text validates (no leakage).
        case tail
        /// A seeded random `fraction` of the windows validates.
        case random
        /// Validation = the training data (as the Shakespeare grid's original did).
        case none
    }

    public var kind: Kind
    /// Validation fraction, in (0, 1); ignored by `none`.
    public var fraction: Double

    public init(kind: Kind = .tail, fraction: Double = 0.1) {
        self.kind = kind
        self.fraction = fraction
    }

    /// Characters (tail) in the training and validation parts of a text of `length` characters.
    /// Random splits divide windows, not characters; `none` validates on the training text.
    public func partLengths(ofTextLength length: Int) -> (train: Int, validation: Int) {
        switch kind {
        case .none: return (length, length)
        case .tail, .random:
            let validation = Int((Double(length) * fraction).rounded(.down))
            return (length - validation, validation)
        }
    }
}
