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
}
