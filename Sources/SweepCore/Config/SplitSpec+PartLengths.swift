import TrialSpec

/// How the sweep tooling sizes a split before any text is tokenised.
extension SplitSpec {
    /// Characters (tail) in the training and validation parts of a text of `length` characters.
    /// Random and windows splits divide windows, not characters (both parts are then the whole
    /// text); `none` validates on the training text.
    public func partLengths(ofTextLength length: Int) -> (train: Int, validation: Int) {
        switch kind {
        case .none, .windows: return (length, length)
        case .tail, .random:
            let validation = Int((Double(length) * fraction).rounded(.down))
            return (length - validation, validation)
        }
    }
}
