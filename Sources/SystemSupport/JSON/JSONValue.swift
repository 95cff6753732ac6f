/// A JSON document that keeps the order in which object keys were written.
///
/// Sweep grids expand in the order their keys appear in the file, which `JSONSerialization` forgets;
/// numbers keep their literal text so error messages can quote exactly what the user wrote.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The literal as written (e.g. `"1e-3"`, `"-3"`, `"0.5"`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    public init(_ value: Int) { self = .number(String(value)) }
    public init(_ value: Double) { self = .number(JSONNumberFormat.canonical(value)) }

    /// The value of an integer literal (no fraction, no exponent) that fits in `Int`.
    public var intValue: Int? {
        guard case .number(let text) = self, !text.contains(where: { ".eE".contains($0) }) else { return nil }
        return Int(text)
    }

    /// Any finite number.
    public var doubleValue: Double? {
        guard case .number(let text) = self, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var objectValue: [JSONMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// The member named `key` of an object.
    public subscript(key: String) -> JSONValue? {
        objectValue?.first(where: { $0.key == key })?.value
    }

    /// A short name of the value's JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}

/// One `"key": value` pair of a JSON object, in file order.
public struct JSONMember: Sendable, Hashable {
    public var key: String
    public var value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}
