/// The symbols a model reads and writes: Unicode scalars (Python's characters), id = position.
/// Built from a text it lists the distinct scalars sorted by value, exactly like Python's
/// `sorted(set(text))`. Codable as one JSON string holding the symbols in id order, so a checkpoint
/// stores it compactly and a resumed trial gets the very same ids.
public struct Vocabulary: Sendable, Codable, Equatable {
    /// Symbols in id order.
    public let symbols: [Unicode.Scalar]
    /// Dense id table for scalars below `denseLimit` (-1 = not in the vocabulary); the rest in `sparse`.
    private let dense: [Int32]
    private let sparse: [UInt32: Int32]
    private static let denseLimit: UInt32 = 0x1_0000

    /// Distinct scalars of `text`, sorted by scalar value.
    public init(text: String) {
        var seen = Set<Unicode.Scalar>()
        for scalar in text.unicodeScalars { seen.insert(scalar) }
        self.init(orderedUnique: seen.sorted { $0.value < $1.value })
    }

    /// The symbol standing for d2l's `<unk>` token: U+FFFD, which no preprocessed training text holds.
    public static let unknownSymbol: Unicode.Scalar = "\u{FFFD}"

    /// Distinct scalars of `text` plus the unknown token, ordered as d2l's `Vocab` orders its token
    /// strings (`sorted(set(['<unk>'] + tokens))`): "<unk>" sorts right after "<", so for letters and
    /// space the ids are ' ' 0, <unk> 1, a…z 2…27.
    public init(text: String, unknownToken: Bool) {
        guard unknownToken else { self.init(text: text); return }
        var symbols = Vocabulary(text: text).symbols.filter { $0 != Self.unknownSymbol }
        let position = symbols.firstIndex { $0.value > Unicode.Scalar("<").value } ?? symbols.count
        symbols.insert(Self.unknownSymbol, at: position)
        self.init(orderedUnique: symbols)
    }

    /// The id of the unknown token, if the vocabulary has one.
    public var unknownID: Int32? { id(of: Self.unknownSymbol) }

    /// Symbols in the given order (ids = positions); a repeated symbol keeps its first position.
    public init(symbols: [Unicode.Scalar]) {
        var seen = Set<Unicode.Scalar>()
        self.init(orderedUnique: symbols.filter { seen.insert($0).inserted })
    }

    private init(orderedUnique symbols: [Unicode.Scalar]) {
        self.symbols = symbols
        let maxDense = symbols.lazy.map(\.value).filter { $0 < Self.denseLimit }.max()
        var dense = [Int32](repeating: -1, count: maxDense.map { Int($0) + 1 } ?? 0)
        var sparse: [UInt32: Int32] = [:]
        for (id, scalar) in symbols.enumerated() {
            if scalar.value < Self.denseLimit { dense[Int(scalar.value)] = Int32(id) } else { sparse[scalar.value] = Int32(id) }
        }
        self.dense = dense
        self.sparse = sparse
    }

    public var count: Int { symbols.count }

    @inline(__always)
    public func id(of scalar: Unicode.Scalar) -> Int32? {
        let v = scalar.value
        if v < UInt32(dense.count) {
            let id = dense[Int(v)]
            return id >= 0 ? id : nil
        }
        return v < Self.denseLimit ? nil : sparse[v]
    }

    /// Ids of the scalars of `s`; throws `DataError.unknownCharacter` naming the first unknown one
    /// and its scalar offset.
    public func encode(_ s: String) throws -> [Int32] {
        var ids = [Int32]()
        ids.reserveCapacity(s.utf8.count)
        var offset = 0
        for scalar in s.unicodeScalars {
            // With an unknown token, characters outside the vocabulary map to it (as d2l's Vocab does).
            guard let id = id(of: scalar) ?? unknownID else {
                throw DataError.unknownCharacter(scalar, offset: offset, vocabularySize: count)
            }
            ids.append(id)
            offset += 1
        }
        return ids
    }

    /// Text of `ids`; an id outside the vocabulary becomes U+FFFD (models only emit valid ids).
    public func decode(_ ids: [Int32]) -> String {
        var view = String.UnicodeScalarView()
        for id in ids {
            view.append(id >= 0 && Int(id) < symbols.count ? symbols[Int(id)] : "\u{FFFD}")
        }
        return String(view)
    }

    public static func == (a: Vocabulary, b: Vocabulary) -> Bool { a.symbols == b.symbols }

    public init(from decoder: any Decoder) throws {
        let string = try decoder.singleValueContainer().decode(String.self)
        var seen = Set<Unicode.Scalar>()
        for scalar in string.unicodeScalars where !seen.insert(scalar).inserted {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: DataError.duplicateSymbol(scalar).description))
        }
        self.init(orderedUnique: Array(string.unicodeScalars))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        var view = String.UnicodeScalarView()
        view.append(contentsOf: symbols)
        try container.encode(String(view))
    }
}
