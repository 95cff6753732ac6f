import SweepStore

/// A typed view of one results row: the report reads cells by column name, so it keeps working
/// when grid columns come and go.
struct ReportRow {
    let cells: [String: CellValue]

    func text(_ column: String) -> String { cells[column]?.text ?? "" }

    func number(_ column: String) -> Double? {
        switch cells[column] {
        case .integer(let value)?: Double(value)
        case .number(let value)?: value.isFinite ? value : nil
        case .text(let text)?: Double(text).flatMap { $0.isFinite ? $0 : nil }
        default: nil
        }
    }

    var trialID: String { text(ExportColumns.trialID.name) }
    var number: String { text(ExportColumns.trial.name) }
    var status: String { text("status") }
    var cell: String { text("cell") }
    var valLoss: Double? { number("val_loss") }
    var label: String { "#\(number) \(trialID)" }

    static func rows(_ table: ExportTable) -> [ReportRow] {
        table.rows.map { ReportRow(cells: Dictionary(zip(table.header, $0), uniquingKeysWith: { first, _ in first })) }
    }

    /// Finished trials with a validation loss, best first.
    static func ranked(_ rows: [ReportRow]) -> [ReportRow] {
        rows.filter { $0.status == "done" && $0.valLoss != nil }.sorted { ($0.valLoss ?? 0) < ($1.valLoss ?? 0) }
    }
}

/// Okabe–Ito colours (without black, which vanishes on a dark page): safe for the common forms
/// of colour blindness and legible on light and dark backgrounds.
enum Palette {
    static let colours = ["#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442"]
    static func colour(_ index: Int) -> String { colours[index % colours.count] }
}
