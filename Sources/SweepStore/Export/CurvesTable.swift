import GRDB

/// Builds curves.csv: one row per trial and epoch, by trial number then epoch.
enum CurvesTable {
    /// Every epoch with its trial's number; a caller may add a WHERE before `order`.
    static let select = "SELECT e.*, t.number FROM epochs e JOIN trials t ON t.trial_id = e.trial_id"
    static let order = "t.number, e.trial_id, e.epoch"

    static func line(_ row: Row) -> CurveLine {
        CurveLine(trialNumber: row["number"], metrics: EpochRow(row: row))
    }

    static func table(_ db: Database) throws -> ExportTable {
        let lines = try Row.fetchAll(db, sql: "\(select) ORDER BY \(order)").map(line)
        return ExportTable(ExportColumns.curves, lines)
    }
}
