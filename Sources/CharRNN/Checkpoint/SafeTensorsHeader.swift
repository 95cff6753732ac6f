/// The parsed JSON header: metadata and tensor descriptions sorted by data offsets.
///
/// Read by a small parser of its own rather than a JSONDecoder: the coordinator inspects every
/// uploaded checkpoint, and the decoder's generic containers cost more than the rest of the
/// inspection together. The parser takes only what a safetensors header may hold: one object whose
/// values are `__metadata__` (strings only) or tensor objects (`dtype`, `shape`, `data_offsets`;
/// other keys are skipped, as the format allows).
struct SafeTensorsHeader {
    struct Info {
        var name: String
        var dtype: DType
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    var metadata: [String: String] = [:]
    var tensors: [Info] = []

    /// Throws `SafeTensorsError` (file `<memory>`; the caller names the file).
    static func parse(_ bytes: ArraySlice<UInt8>) throws(SafeTensorsError) -> SafeTensorsHeader {
        var reader = JSONReader(bytes: bytes)
        var header = SafeTensorsHeader()
        var names: Set<String> = []
        reader.skipSpace()
        guard reader.peek() == UInt8(ascii: "{") else {
            throw fail(.invalidJSON("the header must be a JSON object of objects (it starts at byte \(reader.offset) with \(reader.describePeek()))"))
        }
        try reader.object { name, reader throws(SafeTensorsError) in
            guard names.insert(name).inserted else { throw fail(.duplicateTensor(name)) }
            if name == "__metadata__" {
                header.metadata = try reader.stringObject()
            } else {
                header.tensors.append(try reader.tensor(named: name))
            }
        }
        reader.skipSpace()
        guard reader.atEnd else { throw fail(.invalidJSON("unexpected \(reader.describePeek()) at byte \(reader.offset) after the header object")) }
        header.tensors.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        return header
    }

    fileprivate static func fail(_ reason: SafeTensorsError.Reason) -> SafeTensorsError {
        SafeTensorsError(file: "<memory>", reason: reason)
    }
}

/// A cursor over JSON text (RFC 8259) that reads the values a header holds and skips any other.
private struct JSONReader {
    let bytes: ArraySlice<UInt8>
    var index: Int
    /// Nesting allowed in skipped values: deeper input is refused rather than recursed into.
    static let maximumDepth = 64

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    var atEnd: Bool { index >= bytes.endIndex }
    var offset: Int { index - bytes.startIndex }
    func peek() -> UInt8? { atEnd ? nil : bytes[index] }

    func describePeek() -> String {
        guard let byte = peek() else { return "the end of the header" }
        return byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    func syntax(_ what: String) -> SafeTensorsError {
        SafeTensorsHeader.fail(.invalidJSON("expected \(what) at byte \(offset), found \(describePeek())"))
    }

    mutating func skipSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(SafeTensorsError) {
        skipSpace()
        guard peek() == byte else { throw syntax(what) }
        index += 1
    }

    /// `{ "key": value, ... }`, calling `member` with each key and the reader at its value.
    mutating func object(_ member: (String, inout JSONReader) throws(SafeTensorsError) -> Void) throws(SafeTensorsError) {
        try expect(UInt8(ascii: "{"), "'{'")
        skipSpace()
        if peek() == UInt8(ascii: "}") { index += 1; return }
        while true {
            skipSpace()
            let key = try string()
            try expect(UInt8(ascii: ":"), "':'")
            skipSpace()
            try member(key, &self)
            skipSpace()
            guard let next = peek() else { throw syntax("',' or '}'") }
            index += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { index -= 1; throw syntax("',' or '}'") }
        }
    }

    /// `__metadata__`: an object whose values are all strings.
    mutating func stringObject() throws(SafeTensorsError) -> [String: String] {
        guard peek() == UInt8(ascii: "{") else { throw SafeTensorsHeader.fail(.invalidMetadata("must be an object whose values are all strings")) }
        var values: [String: String] = [:]
        try object { key, reader throws(SafeTensorsError) in
            guard reader.peek() == UInt8(ascii: "\"") else {
                throw SafeTensorsHeader.fail(.invalidMetadata("must be an object whose values are all strings"))
            }
            values[key] = try reader.string()
        }
        return values
    }

    /// One tensor's description, with the format's checks.
    mutating func tensor(named name: String) throws(SafeTensorsError) -> SafeTensorsHeader.Info {
        func fail(_ reason: SafeTensorsError.Reason) -> SafeTensorsError { SafeTensorsHeader.fail(reason) }
        guard peek() == UInt8(ascii: "{") else {
            try skipValue(depth: 0)
            throw fail(.invalidField(tensor: name, field: "entry", value: "not an object"))
        }
        var dtypeName: String?, shape: [Int]?, offsets: [Int]?
        try object { key, reader throws(SafeTensorsError) in
            switch key {
            case "dtype":
                guard reader.peek() == UInt8(ascii: "\"") else {
                    try reader.skipValue(depth: 0)
                    throw fail(.invalidField(tensor: name, field: "dtype", value: "not a string"))
                }
                dtypeName = try reader.string()
            case "shape", "data_offsets":
                guard let list = try reader.integers() else {
                    throw fail(.invalidField(tensor: name, field: key, value: "not a list of integers"))
                }
                if key == "shape" { shape = list } else { offsets = list }
            default:
                try reader.skipValue(depth: 0)
            }
        }
        guard let dtypeName else { throw fail(.missingField(tensor: name, field: "dtype")) }
        guard let shape else { throw fail(.missingField(tensor: name, field: "shape")) }
        guard let offsets else { throw fail(.missingField(tensor: name, field: "data_offsets")) }
        guard let dtype = DType(rawValue: dtypeName) else { throw fail(.unknownDType(tensor: name, dtype: dtypeName)) }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw fail(.invalidField(tensor: name, field: "shape", value: "\(shape) has a negative dimension"))
        }
        guard offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
            throw fail(.invalidField(tensor: name, field: "data_offsets", value: "\(offsets) is not [begin, end] with 0 <= begin <= end"))
        }
        return .init(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    /// `[int, ...]`; nil (the value skipped) when it is valid JSON of another kind, or holds a
    /// number that is not an integer within Int's range.
    mutating func integers() throws(SafeTensorsError) -> [Int]? {
        guard peek() == UInt8(ascii: "[") else {
            try skipValue(depth: 0)
            return nil
        }
        let start = index
        index += 1
        var values: [Int] = []
        skipSpace()
        if peek() == UInt8(ascii: "]") { index += 1; return values }
        while true {
            skipSpace()
            guard let value = try integer() else {
                index = start
                try skipValue(depth: 0)
                return nil
            }
            values.append(value)
            skipSpace()
            guard let next = peek() else { throw syntax("',' or ']'") }
            index += 1
            if next == UInt8(ascii: "]") { return values }
            guard next == UInt8(ascii: ",") else { index -= 1; throw syntax("',' or ']'") }
        }
    }

    /// A JSON number that is an integer in Int's range; nil, with nothing consumed, for any other value.
    mutating func integer() throws(SafeTensorsError) -> Int? {
        let start = index
        var negative = false
        if peek() == UInt8(ascii: "-") { negative = true; index += 1 }
        var value = 0
        var digits = 0
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let digit = Int(byte - UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { index = start; return nil }
            value = next
            digits += 1
            index += 1
        }
        let fraction = peek().map { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } ?? false
        if digits == 0 || fraction || (digits > 1 && bytes[start + (negative ? 1 : 0)] == UInt8(ascii: "0")) {
            index = start
            return nil
        }
        return value
    }

    /// A JSON string, unescaped; its bytes must be valid UTF-8.
    mutating func string() throws(SafeTensorsError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw syntax("a string") }
        index += 1
        let start = index
        // Most strings (names, dtypes, metadata without escapes) are one run of plain bytes.
        var unescaped: [UInt8]?
        var runStart = index
        while true {
            guard let byte = peek() else { throw syntax("the end of a string") }
            switch byte {
            case UInt8(ascii: "\""):
                let text: String?
                if var built = unescaped {
                    built.append(contentsOf: bytes[runStart..<index])
                    text = String(validating: built, as: UTF8.self)
                } else {
                    text = String(validating: bytes[start..<index], as: UTF8.self)
                }
                guard let text else {
                    throw SafeTensorsHeader.fail(.invalidJSON("the string at byte \(start - bytes.startIndex - 1) is not valid UTF-8"))
                }
                index += 1
                return text
            case UInt8(ascii: "\\"):
                var built = unescaped ?? []
                built.append(contentsOf: bytes[runStart..<index])
                index += 1
                built.append(contentsOf: String(try escaped()).utf8)
                unescaped = built
                runStart = index
            case 0..<0x20:
                throw syntax("no control character inside a string")
            default:
                index += 1
            }
        }
    }

    /// The character after a backslash (the reader just past the backslash).
    mutating func escaped() throws(SafeTensorsError) -> Unicode.Scalar {
        guard let byte = peek() else { throw syntax("an escape") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let first = try hex4()
            if (0xD800..<0xDC00).contains(first) {
                // A high surrogate must be followed by an escaped low one.
                guard peek() == UInt8(ascii: "\\"), index + 1 < bytes.endIndex, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw syntax("a low surrogate after \\u\(String(first, radix: 16))")
                }
                index += 2
                let second = try hex4()
                guard (0xDC00..<0xE000).contains(second),
                      let scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)) else {
                    throw syntax("a low surrogate after \\u\(String(first, radix: 16))")
                }
                return scalar
            }
            guard let scalar = Unicode.Scalar(first) else { throw syntax("a character, not a lone surrogate") }
            return scalar
        default:
            index -= 1
            throw syntax("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u")
        }
    }

    mutating func hex4() throws(SafeTensorsError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = Self.hexDigit(byte) else { throw syntax("four hex digits") }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// Any JSON value, checked for syntax and thrown away.
    mutating func skipValue(depth: Int) throws(SafeTensorsError) {
        guard depth < Self.maximumDepth else { throw SafeTensorsHeader.fail(.invalidJSON("values nested deeper than \(Self.maximumDepth) levels")) }
        skipSpace()
        guard let byte = peek() else { throw syntax("a value") }
        switch byte {
        case UInt8(ascii: "{"):
            try object { _, reader throws(SafeTensorsError) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            index += 1
            skipSpace()
            if peek() == UInt8(ascii: "]") { index += 1; return }
            while true {
                try skipValue(depth: depth + 1)
                skipSpace()
                guard let next = peek() else { throw syntax("',' or ']'") }
                index += 1
                if next == UInt8(ascii: "]") { return }
                guard next == UInt8(ascii: ",") else { index -= 1; throw syntax("',' or ']'") }
            }
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            try number()
        }
    }

    mutating func literal(_ word: StaticString) throws(SafeTensorsError) {
        let text = word.withUTF8Buffer { Array($0) }
        guard bytes.endIndex - index >= text.count, bytes[index..<index + text.count].elementsEqual(text) else {
            throw syntax("\(word)")
        }
        index += text.count
    }

    /// A number by the JSON grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    mutating func number() throws(SafeTensorsError) {
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard isDigit(peek()) else { throw syntax("a value") }
        if peek() == UInt8(ascii: "0") { index += 1 } else { while isDigit(peek()) { index += 1 } }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard isDigit(peek()) else { throw syntax("a digit after '.'") }
            while isDigit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard isDigit(peek()) else { throw syntax("a digit in the exponent") }
            while isDigit(peek()) { index += 1 }
        }
    }
}
