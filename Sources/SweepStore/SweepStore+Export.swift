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
        let text = try csv(format)
        do {
            try DurableFile.replace(atPath: path, with: Array(text.utf8))
        } catch {
            throw StoreError.exportFailed(path: path, reason: error.description)
        }
    }

    /// Writes results.csv and curves.csv into `folder` (the run folder).
    public func exportAll(to folder: String) throws {
        for format in [CSVExport.results, .curves] {
            try export(format, to: URL(fileURLWithPath: folder).appendingPathComponent(format.defaultFileName).path)
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
