import Foundation
import SweepCoordinator
import SweepStore
import SweepTestSupport
import Testing

/// results.csv and curves.csv are rebuilt from the whole store, so the coordinator rewrites them on
/// a schedule rather than after every result; whatever the schedule, the files a run leaves behind
/// are exactly the store's exports.
@Suite(.serialized) struct CoalescedExportTests {
    private static let twelveTrials = #"{"hidden_size": [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]}"#

    @Test func manyResultsCostTwoExportsAndTheFinalFilesAreTheStoresExports() async throws {
        let harness = try ServiceHarness(grid: Self.twelveTrials, epochs: 2, epochSeconds: 0.01)
        harness.options.exportInterval = 3600
        harness.options.reportInterval = 3600
        let (service, endpoint, finished, _) = try await harness.startCoordinator()
        let a = try harness.startWorker(endpoint, name: "wa")
        let b = try harness.startWorker(endpoint, name: "wb")
        #expect(finished.wait(seconds: 60) == true)
        #expect(a.wait(seconds: 10) == .done)
        #expect(b.wait(seconds: 10) == .done)
        // Twelve results and 24 epochs, but the exports were written once at the start and once at
        // the end; the report on the first tick and at the end.
        #expect(service.exportsWritten == 2)
        #expect(service.reportsWritten == 2)
        let store = try SweepStore(path: harness.folder.database.path)
        #expect(try store.allTrials().count == 12)
        #expect(try store.allTrials().allSatisfy { $0.status == .done })
        let results = try String(contentsOf: harness.folder.resultsCSV, encoding: .utf8)
        let curves = try String(contentsOf: harness.folder.curvesCSV, encoding: .utf8)
        #expect(results == (try store.csv(.results)))
        #expect(curves == (try store.csv(.curves)))
        let table = CSVTable.parse(results)
        let status = try #require(table.header.firstIndex(of: "status"))
        #expect(table.rows.count == 12 && table.rows.allSatisfy { $0[status] == "done" })
        #expect(CSVTable.parse(curves).rows.count == 24)
        let report = try String(contentsOf: harness.folder.reportHTML, encoding: .utf8)
        #expect(report.components(separatedBy: ">done</td>").count - 1 == 12)
    }

    @Test func resultsCSVIsStillRewrittenWhileTheSweepRuns() async throws {
        let harness = try ServiceHarness(epochSeconds: 0.3)
        harness.options.exportInterval = 0.2
        let (service, endpoint, finished, _) = try await harness.startCoordinator()
        _ = try harness.startWorker(endpoint, name: "w1")
        // A snapshot taken before the run ends shows a finished trial next to unfinished ones.
        var sawPartial = false
        while finished.wait(seconds: 0.05) == nil {
            guard let text = try? String(contentsOf: harness.folder.resultsCSV, encoding: .utf8) else { continue }
            let table = CSVTable.parse(text)
            guard let status = table.header.firstIndex(of: "status") else { continue }
            let statuses = table.rows.compactMap { $0.indices.contains(status) ? $0[status] : nil }
            if statuses.contains("done") && statuses.contains(where: { $0 == "queued" || $0 == "running" }) { sawPartial = true }
        }
        #expect(sawPartial, "results.csv was only written at the start and the end")
        #expect(service.exportsWritten > 2)
        let store = try SweepStore(path: harness.folder.database.path)
        #expect(try String(contentsOf: harness.folder.resultsCSV, encoding: .utf8) == (try store.csv(.results)))
    }
}
