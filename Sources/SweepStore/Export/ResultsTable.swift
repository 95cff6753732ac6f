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
        gridKeys(keyLists: lines.lazy.map { $0.trial.grid.map(\.key) })
    }

    /// The same from each trial's grid keys, trials in file order.
    static func gridKeys(keyLists: some Sequence<[String]>) -> [String] {
        let fixed = Set(ExportColumns.results.map(\.name))
        var keys: [String] = []
        var seen = Set<String>()
        for list in keyLists {
            for key in list where !fixed.contains(key) && seen.insert(key).inserted {
                keys.append(key)
            }
        }
        return keys
    }

    /// The file's header for these grid columns.
    static func header(grid: [String]) -> [String] {
        let fixed = ExportColumns.results
        let at = ExportColumns.resultsGridIndex
        return fixed[..<at].map(\.name) + grid + fixed[at...].map(\.name)
    }

    static func table(_ db: Database) throws -> ExportTable {
        let lines = try lines(db)
        let grid = gridKeys(lines)
        let fixed = ExportColumns.results
        let at = ExportColumns.resultsGridIndex
        let header = header(grid: grid)
        let rows = lines.map { line in
            let cells = fixed.map { $0.value(line) }
            return Array(cells[..<at]) + grid.map { CellValue(text: line.grid[$0]) } + cells[at...]
        }
        return ExportTable(header: header, rows: rows)
    }
}
