/// Errors from reading text, building vocabularies and cutting a corpus into splits and batches.
/// Every case names the offending value so a trial's `config_error` says what to fix.
public enum DataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A character of the text is not in the vocabulary (a resumed trial on a changed dataset).
    case unknownCharacter(Unicode.Scalar, offset: Int, vocabularySize: Int)
    /// A file could not be read or is not UTF-8.
    case unreadableFile(path: String, reason: String)
    /// A numeric setting is out of range (field name and the value given).
    case invalidParameter(field: String, value: String, expected: String)
    /// A partition holds too few tokens for one window / one step of every stream.
    case splitTooShort(partition: Partition, tokens: Int, needed: Int, detail: String)
    /// The split kind cannot be used with this objective.
    case unsupportedSplit(kind: SplitKind, objective: String, reason: String)
    /// More tokens than 32-bit window positions can address.
    case corpusTooLarge(tokens: Int)
    /// Vocabulary JSON holds the same symbol twice.
    case duplicateSymbol(Unicode.Scalar)
    /// An error while processing the named file.
    indirect case inFile(path: String, DataError)

    public var description: String {
        switch self {
        case let .unknownCharacter(scalar, offset, size):
            return "unknown character \(Self.show(scalar)) at offset \(offset); "
                + "it is not among the \(size) symbols of the vocabulary"
        case let .unreadableFile(path, reason):
            return "cannot read '\(path)': \(reason)"
        case let .invalidParameter(field, value, expected):
            return "invalid \(field) \(value): expected \(expected)"
        case let .splitTooShort(partition, tokens, needed, detail):
            return "the \(partition.rawValue) split has \(tokens) tokens, too short: needs at least \(needed) (\(detail))"
        case let .unsupportedSplit(kind, objective, reason):
            return "split '\(kind.rawValue)' is not supported with objective '\(objective)': \(reason)"
        case let .corpusTooLarge(tokens):
            return "corpus of \(tokens) tokens is too large (at most \(Int32.max) are supported)"
        case let .duplicateSymbol(scalar):
            return "vocabulary lists \(Self.show(scalar)) more than once"
        case let .inFile(path, error):
            return "\(path): \(error.description)"
        }
    }

    /// `'a' (U+0061)`; control characters are shown escaped so the message stays on one line.
    static func show(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return "'\(scalar.escaped(asASCII: false))' (\(code))"
    }
}
