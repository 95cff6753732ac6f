import Foundation
import SweepStore
import Testing
@testable import SweepCoordinator

/// What early stopping shows: the report's rungs column and stopped trials, and the live view's count.
@Suite struct EarlyStoppingReportTests {
    @Test func rungMarksComeFromTheStoredDecisionsAndPromotions() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rungs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SweepStore(path: folder.appendingPathComponent("sweep.db").path)
        try store.appendEvent(kind: "decision", message: "trial t1 epoch 1: continue (rung 1: rank 1 of 1, top 1 continue)", trialID: "t1")
        try store.appendEvent(kind: "decision", message: "trial t2 epoch 1: stop (rung 1: rank 2 of 2, top 1 continue)", trialID: "t2")
        try store.appendEvent(kind: "progress", message: "trial t2 epoch 2/9: ...", trialID: "t2")
        try store.appendEvent(kind: "promoted", message: "trial t2 promoted from epoch 1: rung 1: now rank 2 of 3, top 2 continue", trialID: "t2")
        try store.appendEvent(kind: "decision", message: "trial t1 epoch 3: stop (rung 3: rank 2 of 2, top 1 continue)", trialID: "t1")
        let marks = ReportDecisions.marks(try store.events(kinds: ["decision", "promoted"]))
        #expect(marks == ["t1": "1 ✓ · 3 ✗", "t2": "1 ✗ · 1 ↑"])
    }

    @Test func theReportMarksRungsAndListsStoppedTrials() {
        var input = ReportInput(
            sweepName: "asha", split: "tail",
            results: ExportTable(header: ["trial", "trial_id", "cell", "val_loss", "epochs_run", "attempts", "status", "sample"], rows: [
                [.integer(1), .text("abc"), .text("gru"), .number(1.5), .integer(9), .integer(1), .text("done"), .text("hi")],
                [.integer(2), .text("def"), .text("gru"), .number(2.5), .integer(3), .integer(2), .text("stopped"), .empty],
            ]),
            curves: [:], reasons: ["def": "stopped: rung 3: rank 2 of 2, top 1 continue"])
        input.decisions = ["abc": "1 ✓ · 3 ✓", "def": "1 ✗ · 1 ↑ · 3 ✗"]
        let html = ReportWriter.html(input)
        #expect(html.contains("<th class=\"t\">rungs</th>"))
        #expect(html.contains(">1 ✗ · 1 ↑ · 3 ✗</td>"))
        #expect(html.contains("1 done, 0 running, 0 queued, 0 stopped or failed, 1 stopped early"))
        #expect(html.contains("stopped: rung 3: rank 2 of 2, top 1 continue"))
        // Without early stopping there is no rungs column.
        input.decisions = [:]
        #expect(!ReportWriter.html(input).contains(">rungs</th>"))
    }

    @Test func theLiveViewCountsStoppedTrials() {
        var counts = SchedulerCounts()
        counts.done = 1; counts.running = 1; counts.stopped = 2
        let lines = ProgressView.lines(ProgressSnapshot(sweep: "asha", counts: counts, workers: [], etaSeconds: nil))
        #expect(lines[0] == "asha: 3/4 finished — done 1, running 1, queued 0, failed 0, stopped 2")
    }
}
