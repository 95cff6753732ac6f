import Foundation
import GRDB
import SystemSupport

extension SweepStore {
    /// The text of a CSV export, read from one consistent snapshot.
    public func csv(_ format: CSVExport) throws -> String {
        try pool.read { db in
            switch format {
            case .results: try ResultsTable.csv(db)
            case .curves: try CurvesTable.csv(db)
            case .seed004: try Seed004Table.csv(db)
            }
        }
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
