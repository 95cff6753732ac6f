import Foundation
import GRDB
import Synchronization
import SystemSupport

/// results.csv and curves.csv rewritten while a sweep runs, at a cost that grows with the trials
/// that changed since the last write, not with the sweep: each trial's rows are kept as CSV text and
/// only the trials an `ExportChangeLog` names are read and rendered again. The files it writes are
/// byte for byte what `SweepStore.exportAll` writes from the same store.
public final class LiveExports: Sendable {
    /// A trial's line of results.csv, with what its place and the grid columns depend on.
    private struct ResultEntry {
        var number: Int
        /// The cells before and after the grid keys' columns, already CSV fields.
        var head: [String]
        var tail: [String]
        var gridKeys: [String]
        var grid: [String: String]
        /// The line for `renderedFor` grid columns.
        var line = ""
        var renderedFor: [String]?
    }

    /// A trial's lines of curves.csv, one per stored epoch.
    private struct CurveEntry {
        var number: Int
        var text: String
    }

    private struct Cache {
        var results: [String: ResultEntry] = [:]
        var curves: [String: CurveEntry] = [:]
        /// Trials the last write read from the store.
        var read = 0
    }

    private let store: SweepStore
    private let changes: ExportChangeLog
    private let cache = Mutex(Cache())

    /// How many trials the last write read from the store (every trial on a full rebuild).
    public var trialsReadByLastWrite: Int { cache.withLock(\.read) }

    init(store: SweepStore, changes: ExportChangeLog) {
        self.store = store
        self.changes = changes
    }

    /// Writes results.csv and curves.csv into `folder` durably (as `SweepStore.exportAll`).
    public func write(to folder: String) throws {
        let taken = changes.take()
        do {
            let (results, curves) = try cache.withLock { cache in
                try store.pool.read { db in try Self.update(&cache, taken, db) }
                return (Self.resultsText(&cache.results), Self.curvesText(cache.curves))
            }
            let root = URL(fileURLWithPath: folder)
            for (format, text) in [(CSVExport.results, results), (.curves, curves)] {
                let path = root.appendingPathComponent(format.defaultFileName).path
                do {
                    try DurableFile.replace(atPath: path, with: Array(text.utf8))
                } catch {
                    throw StoreError.exportFailed(path: path, reason: error.description)
                }
            }
        } catch {
            // What was taken may not have reached the cache: read everything next time.
            changes.requireRebuild()
            throw error
        }
    }

    // MARK: Reading what changed

    private static func update(_ cache: inout Cache, _ changes: ExportChangeLog.Changes, _ db: Database) throws {
        cache.read = 0
        if changes.rebuild {
            cache = Cache()
            try refreshResults(&cache, trialIDs: nil, db)
            try refreshCurves(&cache, trialIDs: nil, db)
            cache.read = cache.results.count
            return
        }
        guard !changes.isEmpty else { return }
        // A changed trial row may change its results line and, through its number, its curves.
        let changedTrials = try ids("SELECT trial_id FROM trials WHERE rowid IN", changes.trials, db)
        let resultTrials = changedTrials.union(try ids("SELECT trial_id FROM results WHERE rowid IN", changes.results, db))
        let curveTrials = changedTrials.union(try ids("SELECT trial_id FROM epochs WHERE rowid IN", changes.epochs, db))
        try refreshResults(&cache, trialIDs: resultTrials, db)
        try refreshCurves(&cache, trialIDs: curveTrials, db)
        cache.read = resultTrials.union(curveTrials).count
    }

    /// The trial ids of `sql`'s rows among `rowIDs`, read in chunks under SQLite's variable limit.
    private static func ids(_ sql: String, _ rowIDs: Set<Int64>, _ db: Database) throws -> Set<String> {
        var found = Set<String>()
        for chunk in chunks(Array(rowIDs)) {
            found.formUnion(try String.fetchAll(db, sql: "\(sql) (\(placeholders(chunk.count)))", arguments: StatementArguments(chunk)))
        }
        return found
    }

    private static func chunks<T>(_ items: [T], size: Int = 500) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: size).map { items[$0..<min($0 + size, items.count)] }
    }

    /// "?,?,…" for an IN list of `count` values.
    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    /// `WHERE <column> IN (...)` over `trialIDs` in chunks, or one query over every row when nil.
    private static func rows(_ sql: String, column: String, trialIDs: Set<String>?, order: String, _ db: Database) throws -> [Row] {
        guard let trialIDs else { return try Row.fetchAll(db, sql: "\(sql) ORDER BY \(order)") }
        var rows: [Row] = []
        for chunk in chunks(trialIDs.sorted()) {
            rows += try Row.fetchAll(db, sql: "\(sql) WHERE \(column) IN (\(placeholders(chunk.count))) ORDER BY \(order)",
                                     arguments: StatementArguments(Array(chunk)))
        }
        return rows
    }

    private static func refreshResults(_ cache: inout Cache, trialIDs: Set<String>?, _ db: Database) throws {
        guard trialIDs?.isEmpty != true else { return }
        let trials = try rows("SELECT * FROM trials", column: "trial_id", trialIDs: trialIDs, order: "number, trial_id", db)
            .map(TrialRecord.init(row:))
        var results: [String: TrialResult] = [:]
        for row in try rows("SELECT * FROM results", column: "trial_id", trialIDs: trialIDs, order: "trial_id", db) {
            let result = try TrialResult(row: row)
            results[result.trialID] = result
        }
        for id in trialIDs ?? [] { cache.results[id] = nil }
        let fixed = ExportColumns.results
        let at = ExportColumns.resultsGridIndex
        for trial in trials {
            let line = ResultLine(trial: trial, result: results[trial.trialID])
            let fields = fixed.map { CSVEncoding.field($0.value(line).text) }
            cache.results[trial.trialID] = ResultEntry(number: trial.number, head: Array(fields[..<at]), tail: Array(fields[at...]),
                                                       gridKeys: trial.grid.map(\.key), grid: line.grid)
        }
    }

    private static func refreshCurves(_ cache: inout Cache, trialIDs: Set<String>?, _ db: Database) throws {
        guard trialIDs?.isEmpty != true else { return }
        let lines = try rows(CurvesTable.select, column: "e.trial_id", trialIDs: trialIDs, order: CurvesTable.order, db)
            .map(CurvesTable.line)
        for id in trialIDs ?? [] { cache.curves[id] = nil }
        for line in lines {
            let text = CSVEncoding.record(ExportColumns.curves.map { $0.value(line).text })
            cache.curves[line.metrics.trialID, default: CurveEntry(number: line.trialNumber, text: "")].text += text
        }
    }

    // MARK: Writing

    /// results.csv: `ResultsTable.table`'s columns, rows by trial number then id. Keeps each line it
    /// renders for the next write, which reuses it while the grid columns stay the same.
    private static func resultsText(_ entries: inout [String: ResultEntry]) -> String {
        let order = sortedIDs(entries.lazy.map { ($0.value.number, $0.key) })
        let grid = ResultsTable.gridKeys(keyLists: order.map { entries[$0]?.gridKeys ?? [] })
        var text = CSVEncoding.record(ResultsTable.header(grid: grid))
        for id in order {
            guard var entry = entries[id] else { continue }
            if entry.renderedFor != grid {
                entry.line = render(entry, grid)
                entry.renderedFor = grid
                entries[id] = entry
            }
            text += entry.line
        }
        return text
    }

    /// Trial ids by trial number, then id (the exports' row order).
    private static func sortedIDs(_ keys: some Sequence<(Int, String)>) -> [String] {
        keys.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map(\.1)
    }

    private static func render(_ entry: ResultEntry, _ grid: [String]) -> String {
        let cells = entry.head + grid.map { CSVEncoding.field(CellValue(text: entry.grid[$0]).text) } + entry.tail
        return cells.joined(separator: ",") + "\r\n"
    }

    /// curves.csv: rows by trial number, id and epoch.
    private static func curvesText(_ entries: [String: CurveEntry]) -> String {
        var text = CSVEncoding.record(ExportColumns.curves.map(\.name))
        for id in sortedIDs(entries.lazy.map { ($0.value.number, $0.key) }) { text += entries[id]?.text ?? "" }
        return text
    }
}
