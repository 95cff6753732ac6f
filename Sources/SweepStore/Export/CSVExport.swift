/// The CSV files the store writes. Their columns are `ExportColumns` (docs/results-columns.md explains each).
public enum CSVExport: String, Sendable, CaseIterable {
    /// One row per trial (all trials; unfinished ones with empty metric cells).
    case results
    /// One row per trial and epoch.
    case curves
    /// The Shakespeare grid's original columns, for side-by-side comparison.
    case seed004

    /// File name in the run folder.
    public var defaultFileName: String {
        switch self {
        case .results: "results.csv"
        case .curves: "curves.csv"
        case .seed004: "results-seed004.csv"
        }
    }
}
