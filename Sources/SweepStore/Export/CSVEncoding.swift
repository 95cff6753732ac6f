/// RFC 4180 text: CRLF between records (like the original results file), a field quoted when it
/// holds a comma, a quote, CR or LF, and quotes doubled inside. A text cell that a spreadsheet
/// would run as a formula (it starts with `=`, `+`, `-`, `@`, tab or CR and is not a number) gets
/// a leading `'`, so a generated sample or a worker's host name cannot execute anything.
enum CSVEncoding {
    static func field(_ raw: String) -> String {
        let text = neutralised(raw)
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first),
              Double(text) == nil else { return text }
        return "'" + text
    }

    static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func document(header: [String], rows: [[String]]) -> String {
        var text = record(header)
        for row in rows { text += record(row) }
        return text
    }
}

/// Numbers in cells: integers plainly, doubles in full (round-trip) precision, nil as empty.
enum CSVNumber {
    static func text(_ value: Double?) -> String {
        guard let value else { return "" }
        return value.description
    }

    static func text(_ value: Int?) -> String {
        value.map(String.init) ?? ""
    }
}
