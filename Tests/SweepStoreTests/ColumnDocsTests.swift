import Foundation
import SweepStore
import Testing

/// The column tables in README.md and docs/results-columns.md list exactly the columns the exports
/// write, in file order, with the same units (and, in docs/results-columns.md, the same meanings).
@Suite struct ColumnDocsTests {
    /// What the results table's grid-keys row is called in the docs.
    static let gridKeysRow = "*grid keys*"

    static func expected<Line>(_ columns: [ExportColumn<Line>], gridAt: Int? = nil) -> [DocColumn] {
        var rows = columns.map { DocColumn(name: $0.name, unit: $0.unit, meaning: $0.meaning) }
        if let gridAt { rows.insert(DocColumn(name: gridKeysRow, unit: nil, meaning: nil), at: gridAt) }
        return rows
    }

    @Test func readmeListsTheResultsColumns() throws {
        let table = try DocTable.read("README.md", section: "The run folder and its results", after: "`results.csv` columns:")
        let expected = Self.expected(ExportColumns.results, gridAt: ExportColumns.resultsGridIndex)
        #expect(table.map(\.name) == expected.map(\.name))
        #expect(table.map(\.unit) == expected.map(\.unit))
    }

    @Test func docsListTheResultsColumns() throws {
        let table = try DocTable.read("docs/results-columns.md", section: "results.csv — one row per trial")
        #expect(table == Self.expected(ExportColumns.results, gridAt: ExportColumns.resultsGridIndex))
    }

    @Test func docsListTheCurvesColumns() throws {
        let table = try DocTable.read("docs/results-columns.md", section: "curves.csv — one row per trial and epoch")
        #expect(table == Self.expected(ExportColumns.curves))
    }

    @Test func docsListTheSeed004Columns() throws {
        let table = try DocTable.read("docs/results-columns.md", section: "results-seed004.csv — the Shakespeare grid's original columns")
        let expected = ExportColumns.seed004.map { DocColumn(name: $0.name, unit: nil, meaning: $0.meaning) }
        #expect(table == expected)
    }
}

/// A row of a Markdown column table: the column's name, and its unit and meaning where the table has them.
struct DocColumn: Equatable, CustomStringConvertible {
    var name: String
    var unit: String?
    var meaning: String?
    var description: String { "\(name) [\(unit ?? "-")] \(meaning ?? "")" }
}

enum DocTable {
    struct Missing: Error, CustomStringConvertible { let description: String }

    /// The repository root, from this file's path (Tests/SweepStoreTests/<file>).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The first table of the `## section` heading (after the line `after`, when given).
    /// Names lose their backticks; the grid-keys row keeps its emphasis and has no unit or meaning.
    static func read(_ file: String, section: String, after marker: String? = nil) throws -> [DocColumn] {
        let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        var lines = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let start = lines.firstIndex(of: "## " + section) else { throw Missing(description: "\(file) has no section \(section)") }
        lines = Array(lines[(start + 1)...])
        lines = Array(lines.prefix { !$0.hasPrefix("## ") })
        if let marker {
            guard let at = lines.firstIndex(of: marker) else { throw Missing(description: "\(file) § \(section) lacks \(marker)") }
            lines = Array(lines[(at + 1)...])
        }
        guard let first = lines.firstIndex(where: { $0.hasPrefix("|") }) else { throw Missing(description: "\(file) § \(section) has no table") }
        let table = lines[first...].prefix { $0.hasPrefix("|") }.map(cells)
        guard table.count >= 2 else { throw Missing(description: "\(file) § \(section): table without rows") }
        let header = table[0]
        let unitIndex = header.firstIndex(of: "unit")
        let meaningIndex = header.firstIndex(of: "meaning") ?? header.firstIndex(of: "from")
        return table.dropFirst(2).map { row in
            let name = row[0]
            if name == ColumnDocsTests.gridKeysRow { return DocColumn(name: name, unit: nil, meaning: nil) }
            return DocColumn(name: name.trimmingCharacters(in: CharacterSet(charactersIn: "`")),
                             unit: unitIndex.flatMap { $0 < row.count ? row[$0] : nil },
                             meaning: meaningIndex.flatMap { $0 < row.count ? row[$0] : nil })
        }
    }

    /// `| a | b |` → ["a", "b"].
    static func cells(_ line: String) -> [String] {
        line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
