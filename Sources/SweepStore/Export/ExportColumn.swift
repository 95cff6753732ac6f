/// One column of an export: its header name, the unit and meaning the docs' tables give, and how
/// a line of the store becomes its cell. The ordered lists in `ExportColumns` are the only place
/// the fixed columns are defined; the CSV files, `coordinator export` and the report all use them.
public struct ExportColumn<Line>: Sendable {
    public let name: String
    /// As written in the docs' `unit` column ("—" for a dimensionless or categorical value).
    public let unit: String
    public let meaning: String
    public let value: @Sendable (Line) -> CellValue

    init(_ name: String, _ unit: String, _ meaning: String, _ value: @escaping @Sendable (Line) -> CellValue) {
        self.name = name
        self.unit = unit
        self.meaning = meaning
        self.value = value
    }
}

public typealias ResultColumn = ExportColumn<ResultLine>
public typealias CurveColumn = ExportColumn<CurveLine>

/// The column lists, in file order (see docs/results-columns.md).
public enum ExportColumns {}

/// A cell as a typed value; `text` is what the CSV holds (before spreadsheet neutralising).
public enum CellValue: Sendable, Equatable {
    case empty
    case integer(Int)
    case number(Double)
    case text(String)

    init(_ value: Int?) { self = value.map(CellValue.integer) ?? .empty }
    init(_ value: Double?) { self = value.map(CellValue.number) ?? .empty }
    init(text: String?) { self = text.map { $0.isEmpty ? .empty : .text($0) } ?? .empty }

    public var text: String {
        switch self {
        case .empty: ""
        case .integer(let value): CSVNumber.text(value)
        case .number(let value): CSVNumber.text(value)
        case .text(let value): value
        }
    }
}

/// An export as values: its header and one row of cells per line. `csv` is the file's text.
public struct ExportTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[CellValue]]

    public init(header: [String], rows: [[CellValue]]) {
        self.header = header
        self.rows = rows
    }

    init<Line>(_ columns: [ExportColumn<Line>], _ lines: [Line]) {
        self.init(header: columns.map(\.name), rows: lines.map { line in columns.map { $0.value(line) } })
    }

    public var csv: String {
        CSVEncoding.document(header: header, rows: rows.map { $0.map(\.text) })
    }

    /// The cells of the column called `name`, or nil when the table has no such column.
    public func column(_ name: String) -> [CellValue]? {
        header.firstIndex(of: name).map { index in rows.map { $0[index] } }
    }
}
