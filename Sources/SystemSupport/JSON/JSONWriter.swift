/// Writes `JSONValue`s as text: compact in file order (for messages), or canonical (sorted keys,
/// canonical numbers, no whitespace) for hashing.
public enum JSONWriter {
    /// Compact JSON keeping key order and number literals as written.
    public static func compact(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, canonical: false)
        return out
    }

    /// Canonical JSON: keys sorted by their UTF-8 bytes, numbers in `JSONNumberFormat.canonical`
    /// form, no whitespace. Equal documents give identical text on every machine.
    public static func canonical(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, canonical: true)
        return out
    }

    private static func write(_ value: JSONValue, into out: inout String, canonical: Bool) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let literal): out += canonical ? JSONNumberFormat.canonical(literal: literal) : literal
        case .string(let text): writeString(text, into: &out)
        case .array(let items):
            out += "["
            for (position, item) in items.enumerated() {
                if position > 0 { out += "," }
                write(item, into: &out, canonical: canonical)
            }
            out += "]"
        case .object(let members):
            let ordered = canonical ? members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : members
            out += "{"
            for (position, member) in ordered.enumerated() {
                if position > 0 { out += "," }
                writeString(member.key, into: &out)
                out += ":"
                write(member.value, into: &out, canonical: canonical)
            }
            out += "}"
        }
    }

    /// `text` as a JSON string literal. `shortControlEscapes` also writes backspace and form feed
    /// as `\b` and `\f` (as serde_json does, which safetensors files follow); without it they are
    /// `\u0008` and `\u000c`, the form canonical JSON (and so trial ids) has always used.
    public static func quoted(_ text: String, shortControlEscapes: Bool = false) -> String {
        var out = ""
        writeString(text, into: &out, shortControlEscapes: shortControlEscapes)
        return out
    }

    private static func writeString(_ text: String, into out: inout String, shortControlEscapes: Bool = false) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}" where shortControlEscapes: out += "\\b"
            case "\u{0C}" where shortControlEscapes: out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
