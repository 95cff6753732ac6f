import GRDB

/// Builds the seed004 file: every trial has a row, unfinished ones with empty metric cells.
enum Seed004Table {
    static func table(_ db: Database) throws -> ExportTable {
        ExportTable(ExportColumns.seed004, try ResultsTable.lines(db))
    }
}
