import Foundation
import SystemSupport

/// A sweep file that cannot be used: it names the file, the JSON path and the bad value, e.g.
/// `sweeps/x.json: training.epochs: expected a positive integer, got -3`.
public struct SweepFileError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The file as the user named it.
    public let file: String
    /// JSON path such as `grid.hidden_size[2]`, or `line 3, column 7` for a syntax error; empty
    /// when the problem concerns the whole file.
    public let path: String
    public let message: String
    /// The offending value as compact JSON, when there is one.
    public let value: String?

    /// Process exit status for a bad sweep file (usage error).
    public var exitCode: Int32 { 2 }

    public init(file: String, path: String, message: String, value: String? = nil) {
        self.file = file
        self.path = path
        self.message = message
        self.value = value
    }

    public var description: String {
        var text = file
        if !path.isEmpty { text += ": " + path }
        text += ": " + message
        if let value { text += ", got " + value }
        return text
    }

    public var errorDescription: String? { description }
}

/// A position in a JSON document, printed like `grid.hidden_size[2]` or `generate.prompt_slices[0].offset`.
struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    private(set) var description: String

    static let root = JSONPath(description: "")

    func key(_ name: String) -> JSONPath {
        let plain = !name.isEmpty && name.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "_" || $0 == "-" }
        if plain { return JSONPath(description: description.isEmpty ? name : description + "." + name) }
        return JSONPath(description: description + "[" + JSONWriter.compact(.string(name)) + "]")
    }

    func index(_ position: Int) -> JSONPath {
        JSONPath(description: description + "[\(position)]")
    }
}

/// Builds errors for one file.
struct ErrorContext: Sendable {
    let file: String

    func error(_ path: JSONPath, _ message: String, value: JSONValue? = nil) -> SweepFileError {
        SweepFileError(file: file, path: path.description, message: message, value: value.map(JSONWriter.compact))
    }

    func error(_ path: String, _ message: String, value: JSONValue? = nil) -> SweepFileError {
        SweepFileError(file: file, path: path, message: message, value: value.map(JSONWriter.compact))
    }

    /// Rejects keys of `members` not in `known`, suggesting the nearest known key.
    func rejectUnknownKeys(_ members: [JSONMember], known: [String], at path: JSONPath, what: String) throws(SweepFileError) {
        for member in members where !known.contains(member.key) {
            var message = "unknown key in \(what)"
            if let guess = Self.nearest(member.key, in: known) { message += " (did you mean \"\(guess)\"?)" }
            message += "; known keys: " + known.joined(separator: ", ")
            throw error(path.key(member.key), message)
        }
    }

    /// The candidate within edit distance 2 of `word`, if any.
    static func nearest(_ word: String, in candidates: [String]) -> String? {
        let best = candidates.map { ($0, editDistance(word, $0)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= 2 else { return nil }
        return best.0
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
