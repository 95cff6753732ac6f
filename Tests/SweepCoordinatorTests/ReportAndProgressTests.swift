import Foundation
import SweepStore
import Testing
@testable import SweepCoordinator

@Suite struct ReportAndProgressTests {
    @Test func reportHasTheTableTheSplitAndOneCurvePerTrialAndEscapesText() {
        let input = ReportInput(sweepName: "smoke", split: "tail, last 10% of the text",
                                results: ExportTable(header: ["trial", "trial_id", "val_loss", "sample", "learning_rate"], rows: [
                                    [.integer(1), .text("abc"), .number(1.5), .text("<b>hi</b>"), .text("0.003")],
                                    [.integer(2), .text("def"), .empty, .text("x & y"), .text("0.01")],
                                ]),
                                curves: ["abc": [CurvePoint(epoch: 1, trainLoss: 2, valLoss: 2.1),
                                                 CurvePoint(epoch: 2, trainLoss: 1.4, valLoss: 1.5)],
                                         "def": [CurvePoint(epoch: 1, trainLoss: 2, valLoss: .nan)]])
        let html = ReportWriter.html(input)
        #expect(html.contains("Validation split: <b>tail, last 10% of the text</b>"))
        #expect(html.contains("<th>val_loss</th>"))
        #expect(html.contains("&lt;b&gt;hi&lt;/b&gt;"))
        #expect(!html.contains("<b>hi</b>"))
        #expect(html.components(separatedBy: "<div class=\"curve\">").count - 1 == 2)
        #expect(html.contains("points=\"24.0,"))   // a polyline with coordinates
        #expect(!html.lowercased().contains("nan,"))
        // Numbers, typed or stored as text (grid values), are right-aligned; empty cells are not.
        #expect(html.contains("<td>1.5</td>") && html.contains("<td>0.003</td>"))
        #expect(html.contains("<td class=\"t\" title=\"\"></td>"))
    }

    @Test func progressLinesShowCountsWorkersAndETA() {
        var counts = SchedulerCounts()
        counts.done = 3; counts.running = 1; counts.queued = 2; counts.failed = 1
        let snapshot = ProgressSnapshot(sweep: "smoke", counts: counts, workers: [
            .init(worker: "w-1", host: "h", trial: "abc", epoch: 2, epochs: 5, suspect: false, quarantined: false),
            .init(worker: "w-2", host: "h", trial: nil, epoch: nil, epochs: nil, suspect: true, quarantined: false),
        ], etaSeconds: 125)
        let lines = ProgressView.lines(snapshot)
        #expect(lines[0] == "smoke: 4/7 finished — done 3, running 1, queued 2, failed 1 — ETA 2m05s")
        #expect(lines[1] == "  h w-1: trial abc epoch 2/5")
        #expect(lines[2] == "  h w-2: idle (suspect)")
    }

    /// A log that is not a terminal gets the time of each event; a terminal gets the bare line.
    @Test func logLinesCarryUTCTimeOnlyWhenNotATerminal() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("progress-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func logged(terminal: Bool) throws -> String {
            let file = folder.appendingPathComponent("\(terminal).log")
            #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
            let handle = try FileHandle(forWritingTo: file)
            ProgressView(output: handle, isTerminal: terminal).log("trial abc done")
            try handle.close()
            return try String(contentsOf: file, encoding: .utf8)
        }
        let plain = try logged(terminal: false)
        #expect(plain.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z trial abc done\n/) != nil, "got \(plain)")
        #expect(try logged(terminal: true) == "trial abc done\n")
    }

    @Test func etaUsesMeanTrialTimeOverWorkers() {
        var eta = ETAEstimator()
        #expect(eta.eta(remaining: 4, runningElapsed: [], workers: 2) == nil)
        eta.trialFinished(seconds: 10)
        eta.trialFinished(seconds: 30)
        // Mean 20 s: 4 queued trials = 80 s, running ones need 15 s and 0 s more; over 2 workers.
        #expect(eta.eta(remaining: 4, runningElapsed: [5, 25], workers: 2) == 47.5)
    }

    @Test func runFolderRefusesUnsafeTrialIDsAsPaths() {
        let folder = RunFolder(root: URL(fileURLWithPath: "/tmp/runs/x"))
        #expect(folder.checkpointFolder(trialID: "../../etc") == nil)
        #expect(folder.checkpointFolder(trialID: "") == nil)
        #expect(folder.checkpointFolder(trialID: "a1b2c3")?.path == "/tmp/runs/x/checkpoints/a1b2c3")
        #expect(folder.relative(URL(fileURLWithPath: "/tmp/runs/x/checkpoints/a/latest.safetensors")) == "checkpoints/a/latest.safetensors")
    }
}
