/// How a corpus is divided into training and validation.
public enum SplitKind: String, Codable, Sendable, CaseIterable {
    /// The last `fraction` of the tokens is validation; no window crosses the boundary.
    case tail
    /// All windows of the whole text, shuffled with the seed; the last `fraction` of them validate.
    case random
    /// Validation = the training windows (as the Shakespeare grid's original did).
    case none
    /// Windows every `stride` characters from the start of the text: the first `trainWindows`
    /// train, the next `validationWindows` validate (d2l's `TimeMachine` split).
    case windows
}

/// A split kind and its validation fraction. JSON: `{"kind": "tail", "fraction": 0.1}`; absent
/// keys take the defaults of `init`.
public struct SplitSpec: Codable, Sendable, Hashable {
    public static let defaultFraction = 0.1

    public var kind: SplitKind
    /// Validation fraction in (0, 1); ignored by `none`.
    public var fraction: Double
    /// Windows of each part for `windows` (nil otherwise, and then absent from the JSON).
    public var trainWindows: Int?
    public var validationWindows: Int?

    public init(kind: SplitKind = .tail, fraction: Double = SplitSpec.defaultFraction, trainWindows: Int? = nil,
                validationWindows: Int? = nil) {
        self.kind = kind
        self.fraction = fraction
        self.trainWindows = trainWindows
        self.validationWindows = validationWindows
    }

    /// How many of `n` items (tokens for `tail`, windows for `random`) are training:
    /// `Int(Double(n) * (1 - fraction))`, as the originals' `int(0.9 * len(data))`.
    public func trainingCount(of n: Int) -> Int {
        switch kind {
        case .none: n
        case .windows: min(n, trainWindows ?? 0)
        case .tail, .random: Int(Double(n) * (1 - fraction))
        }
    }

    private enum CodingKeys: String, CodingKey {
        case kind, fraction, trainWindows = "train_windows", validationWindows = "validation_windows"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try c.decodeIfPresent(SplitKind.self, forKey: .kind) ?? .tail,
                  fraction: try c.decodeIfPresent(Double.self, forKey: .fraction) ?? Self.defaultFraction,
                  trainWindows: try c.decodeIfPresent(Int.self, forKey: .trainWindows),
                  validationWindows: try c.decodeIfPresent(Int.self, forKey: .validationWindows))
    }
}
