import GRDB

/// Builds results.csv: one row per trial, the fixed columns of `ExportColumns.results` with one
/// column per grid key (in grid order) at `ExportColumns.resultsGridIndex`.
enum ResultsTable {
    static func lines(_ db: Database) throws -> [ResultLine] {
        let trials = try Row.fetchAll(db, sql: "SELECT * FROM trials ORDER BY number, trial_id").map(TrialRecord.init(row:))
        var results: [String: TrialResult] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM results") {
            let result = try TrialResult(row: row)
            results[result.trialID] = result
        }
        return trials.map { ResultLine(trial: $0, result: results[$0.trialID]) }
    }

    /// Grid keys in grid order (first appearance over trials by number), minus the fixed columns:
    /// a grid over `cell` already shows in the `cell` column.
    static func gridKeys(_ lines: [ResultLine]) -> [String] {
        let fixed = Set(ExportColumns.results.map(\.name))
        var keys: [String] = []
        var seen = Set<String>()
        for line in lines {
            for entry in line.trial.grid where !fixed.contains(entry.key) && seen.insert(entry.key).inserted {
                keys.append(entry.key)
            }
        }
        return keys
    }

    static func table(_ db: Database) throws -> ExportTable {
        let lines = try lines(db)
        let grid = gridKeys(lines)
        let fixed = ExportColumns.results
        let at = ExportColumns.resultsGridIndex
        let header = fixed[..<at].map(\.name) + grid + fixed[at...].map(\.name)
        let rows = lines.map { line in
            let cells = fixed.map { $0.value(line) }
            return Array(cells[..<at]) + grid.map { CellValue(text: line.grid[$0]) } + cells[at...]
        }
        return ExportTable(header: header, rows: rows)
    }
}
