import Foundation
import SweepStore

extension RunSetup {
    /// Draws report.html from what sweep.db has committed. `live`: the sweep is still running, so
    /// the page reloads itself; `results`: the results table just exported, if nothing changed since.
    func writeReport(live: Bool, results: ExportTable?) throws {
        let html = ReportWriter.html(try ReportInput.load(from: store, sweepName: sweep.name, split: splitDescription,
                                                          dataset: dataset.name, live: live, results: results))
        try Data(html.utf8).write(to: folder.reportHTML, options: .atomic)
    }
}
