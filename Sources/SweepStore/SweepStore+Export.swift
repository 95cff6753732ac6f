import Foundation
import GRDB
import SystemSupport

extension SweepStore {
    /// An export's header and typed cells, read from one consistent snapshot.
    public func table(_ format: CSVExport) throws -> ExportTable {
        try pool.read { db in
            switch format {
            case .results: try ResultsTable.table(db)
            case .curves: try CurvesTable.table(db)
            case .seed004: try Seed004Table.table(db)
            }
        }
    }

    /// The text of a CSV export.
    public func csv(_ format: CSVExport) throws -> String {
        try table(format).csv
    }

    /// Writes a CSV export to `path` durably: readers see the old or the new file, never a torn one.
    public func export(_ format: CSVExport, to path: String) throws {
        try Self.write(csv: try csv(format), to: path)
    }

    /// Writes results.csv and curves.csv into `folder` (the run folder) and returns the results
    /// table it wrote, for a report of the same rows without reading them again.
    @discardableResult
    public func exportAll(to folder: String) throws -> ExportTable {
        func path(_ format: CSVExport) -> String { URL(fileURLWithPath: folder).appendingPathComponent(format.defaultFileName).path }
        let results = try table(.results)
        try Self.write(csv: results.csv, to: path(.results))
        try export(.curves, to: path(.curves))
        return results
    }

    private static func write(csv text: String, to path: String) throws {
        do {
            try DurableFile.replace(atPath: path, with: Array(text.utf8))
        } catch {
            throw StoreError.exportFailed(path: path, reason: error.description)
        }
    }
}

extension SweepStore {
    /// Live exports of this store: from now on they track which trials change, and rewrite only
    /// those trials' rows (the first write reads every trial). The store stops tracking for them
    /// once they are gone (it holds their change log weakly).
    public func liveExports() -> LiveExports {
        let changes = ExportChangeLog()
        pool.add(transactionObserver: changes, extent: .observerLifetime)
        return LiveExports(store: self, changes: changes)
    }
}
