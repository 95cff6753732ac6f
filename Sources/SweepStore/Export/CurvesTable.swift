import GRDB

/// Builds curves.csv: one row per trial and epoch, by trial number then epoch.
enum CurvesTable {
    static func table(_ db: Database) throws -> ExportTable {
        let lines = try Row.fetchAll(db, sql: """
            SELECT e.*, t.number FROM epochs e JOIN trials t ON t.trial_id = e.trial_id
            ORDER BY t.number, e.trial_id, e.epoch
            """).map { CurveLine(trialNumber: $0["number"], metrics: EpochRow(row: $0)) }
        return ExportTable(ExportColumns.curves, lines)
    }
}
