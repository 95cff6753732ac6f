import SystemSupport

/// What a value of one key must look like; checks types and ranges and says what was expected.
enum ValueRule: Sendable {
    case choice([String])
    /// An integer in `range`; `expected` names it ("a positive integer").
    case integer(ClosedRange<Int>, expected: String)
    /// A finite number above `lower` (inclusive or not) and below `upper` (exclusive) if given.
    case number(lower: Double, lowerInclusive: Bool, upper: Double?, expected: String)
    case boolean
    /// null or the wrapped rule.
    indirect case nullable(ValueRule)
    /// A list of positive integers (may be empty).
    case positiveIntegerList

    static let positiveInteger = ValueRule.integer(1...Int.max, expected: "a positive integer")
    static let nonNegativeInteger = ValueRule.integer(0...Int.max, expected: "a non-negative integer")
    static let positiveNumber = ValueRule.number(lower: 0, lowerInclusive: false, upper: nil, expected: "a positive number")
    static let nonNegativeNumber = ValueRule.number(lower: 0, lowerInclusive: true, upper: nil, expected: "a non-negative number")
    static let probability = ValueRule.number(lower: 0, lowerInclusive: true, upper: 1, expected: "a number in [0, 1)")
    static let openFraction = ValueRule.number(lower: 0, lowerInclusive: false, upper: 1, expected: "a number in (0, 1)")

    static func choice<T: RawRepresentable & CaseIterable>(of type: T.Type) -> ValueRule where T.RawValue == String {
        .choice(type.allCases.map(\.rawValue))
    }

    var expected: String {
        switch self {
        case .choice(let names): "one of " + names.map { "\"\($0)\"" }.joined(separator: ", ")
        case .integer(_, let expected), .number(_, _, _, let expected): expected
        case .boolean: "true or false"
        case .nullable(let rule): rule.expected + " or null"
        case .positiveIntegerList: "a list of positive integers"
        }
    }

    func check(_ value: JSONValue, at path: JSONPath, _ context: ErrorContext) throws(SweepFileError) {
        switch self {
        case .choice(let names):
            guard let text = value.stringValue, names.contains(text) else { throw context.error(path, "expected \(expected)", value: value) }
        case .integer(let range, _):
            guard let number = value.intValue, range.contains(number) else { throw context.error(path, "expected \(expected)", value: value) }
        case .number(let lower, let lowerInclusive, let upper, _):
            guard let number = value.doubleValue,
                  lowerInclusive ? number >= lower : number > lower,
                  upper.map({ number < $0 }) ?? true
            else { throw context.error(path, "expected \(expected)", value: value) }
        case .boolean:
            guard value.boolValue != nil else { throw context.error(path, "expected \(expected)", value: value) }
        case .nullable(let rule):
            if value.isNull { return }
            do { try rule.check(value, at: path, context) } catch { throw context.error(path, "expected \(self.expected)", value: value) }
        case .positiveIntegerList:
            guard let items = value.arrayValue else { throw context.error(path, "expected \(expected)", value: value) }
            for (position, item) in items.enumerated() {
                try ValueRule.positiveInteger.check(item, at: path.index(position), context)
            }
        }
    }

    // Checked reads: `check`, then the value as the type the rule admits. Once `check` passes the
    // read cannot fail, but the caller no longer relies on that: a rule changed later throws this
    // rule's error (same file, path and value) instead of trapping.

    /// The value of an `.integer` rule.
    func checkedInt(_ value: JSONValue, at path: JSONPath, _ context: ErrorContext) throws(SweepFileError) -> Int {
        try checked(value, at: path, context) { $0.intValue }
    }

    /// The value of a `.number` rule.
    func checkedDouble(_ value: JSONValue, at path: JSONPath, _ context: ErrorContext) throws(SweepFileError) -> Double {
        try checked(value, at: path, context) { $0.doubleValue }
    }

    /// The value of the `.boolean` rule.
    func checkedBool(_ value: JSONValue, at path: JSONPath, _ context: ErrorContext) throws(SweepFileError) -> Bool {
        try checked(value, at: path, context) { $0.boolValue }
    }

    /// The value of a `.choice` rule, as a string.
    func checkedString(_ value: JSONValue, at path: JSONPath, _ context: ErrorContext) throws(SweepFileError) -> String {
        try checked(value, at: path, context) { $0.stringValue }
    }

    /// `choice(of: T.self)` checked, and its value as a `T`.
    static func checkedChoice<T: RawRepresentable & CaseIterable>(of type: T.Type, _ value: JSONValue, at path: JSONPath,
                                                                  _ context: ErrorContext) throws(SweepFileError) -> T where T.RawValue == String {
        try choice(of: type).checked(value, at: path, context) { $0.stringValue.flatMap(T.init(rawValue:)) }
    }

    private func checked<T>(_ value: JSONValue, at path: JSONPath, _ context: ErrorContext,
                            _ read: (JSONValue) -> T?) throws(SweepFileError) -> T {
        try check(value, at: path, context)
        guard let typed = read(value) else { throw context.error(path, "expected \(expected)", value: value) }
        return typed
    }
}
