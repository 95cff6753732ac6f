import Foundation
import SweepStore
import TrialSpec
import SweepTestSupport
import Testing
@testable import SweepCoordinator

@Suite struct ReportAndProgressTests {
    static let reportInput = ReportInput(
        sweepName: "smoke", split: "tail, last 10% of the text",
        results: ExportTable(header: ["trial", "trial_id", "cell", "learning_rate", "val_loss", "val_accuracy",
                                      "training_seconds", "parameters", "attempts", "status", "sample"], rows: [
            [.integer(1), .text("abc"), .text("gru"), .text("0.003"), .number(1.5), .number(0.41), .number(12),
             .integer(900), .integer(1), .text("done"), .text("<b>hi</b>")],
            [.integer(2), .text("def"), .text("rnn"), .text("0.01"), .empty, .empty, .empty,
             .integer(500), .integer(2), .text("diverged"), .text("x & y")],
            [.integer(3), .text("ghi"), .text("rnn"), .text("0.003"), .number(1.7123456), .number(0.38), .number(30.5),
             .integer(500), .integer(1), .text("done"), .text("ok")],
        ]),
        curves: ["abc": [CurvePoint(epoch: 1, trainLoss: 2, valLoss: 2.1), CurvePoint(epoch: 2, trainLoss: 1.4, valLoss: 1.5)],
                 "def": [CurvePoint(epoch: 1, trainLoss: 2, valLoss: .nan)],
                 "ghi": [CurvePoint(epoch: 1, trainLoss: 2.2, valLoss: 2.0), CurvePoint(epoch: 2, trainLoss: 1.6, valLoss: 1.7123456)]],
        dataset: "nextchar", gridKeys: ["cell", "learning_rate"], reasons: ["def": "diverged: loss <NaN> at epoch 1"])

    @Test func reportHasHeaderLeaderboardChartsSamplesAndEscapesText() {
        let html = ReportWriter.html(Self.reportInput)
        #expect(html.contains("Validation split: <b>tail, last 10% of the text</b>"))
        #expect(html.contains("<dd>nextchar</dd>"))
        #expect(html.contains("2 done, 0 running, 0 queued, 1 stopped or failed"))
        #expect(html.contains("42.5 s of training"))
        // One leaderboard row per trial, best first; numbers rounded, raw value kept for sorting.
        #expect(html.components(separatedBy: "<tr class=\"lb").count - 1 == 3)
        #expect(html.range(of: "abc")!.lowerBound < html.range(of: "ghi")!.lowerBound)
        #expect(html.contains("data-v=\"1.7123456\">1.7123</td>"))
        // One effect figure per grid key, cell included.
        #expect(html.contains("<figure class=\"effect\" data-key=\"cell\">"))
        #expect(html.contains("<figure class=\"effect\" data-key=\"learning_rate\">"))
        #expect(html.components(separatedBy: "<figure class=\"curve\">").count - 1 == 3)
        #expect(html.contains("<pre class=\"sample\">&lt;b&gt;hi&lt;/b&gt;</pre>"))
        #expect(!html.contains("<b>hi</b>"))
        #expect(html.contains("diverged: loss &lt;NaN&gt; at epoch 1"))
        #expect(!html.lowercased().contains("nan,") && !html.contains("\"nan\""))
        #expect(!html.contains("http-equiv=\"refresh\""))
        #expect(HTMLCheck.unbalancedTags(html) == [])
        #expect(HTMLCheck.externalReferences(html) == [])
    }

    /// Chart coordinates read as `%.1f` would write them (ties aside), and never as nan.
    @Test func chartCoordinatesHaveOneDecimal() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let value = Double.random(in: -500...500, using: &rng)
            guard abs((value * 10).truncatingRemainder(dividingBy: 1)) != 0.5 else { continue }
            #expect(HTMLText.coord(value) == String(format: "%.1f", value), "\(value)")
        }
        #expect(HTMLText.coord(0) == "0.0")
        #expect(HTMLText.coord(-0.3) == "-0.3" && HTMLText.coord(-0.04) == "-0.0")
        #expect(HTMLText.coord(426) == "426.0")
        #expect(HTMLText.coord(.nan) == "0" && HTMLText.coord(-.infinity) == "0")
        #expect(HTMLText.coord(3e20) == String(format: "%.1f", 3e20))
    }

    @Test func aLiveReportRefreshesItselfAndSaysSo() {
        var input = Self.reportInput
        input.live = true
        let html = ReportWriter.html(input)
        #expect(html.contains("<meta http-equiv=\"refresh\" content=\"30\">"))
        #expect(html.contains("class=\"live\""))
    }

    @Test func theTagCheckerCatchesADroppedTag() {
        #expect(HTMLCheck.unbalancedTags("<div><p>x</div>") != [])
        #expect(HTMLCheck.unbalancedTags("<div><br><svg><circle/></svg><script>if(a<b){}</script></div>") == [])
        #expect(HTMLCheck.externalReferences("<img src=\"https://x/y.png\">") != [])
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

    @Test func progressLinesShowABarSpeedAndETAInsideAnEpoch() {
        var counts = SchedulerCounts()
        counts.running = 1
        let snapshot = ProgressSnapshot(sweep: "s", counts: counts, workers: [
            .init(worker: "w-1", host: "h", trial: "abc", epoch: 2, epochs: 3, suspect: false, quarantined: false,
                  batch: 50, batches: 200, tokensPerSecond: 95_120, etaSeconds: 190),
        ], etaSeconds: 400)
        let lines = ProgressView.lines(snapshot)
        #expect(lines[0].hasSuffix(" — ETA 6m40s"))
        #expect(lines[1] == "  h w-1: trial abc epoch 2/3 [#####---------------] 25% 95.1k tok/s ETA 3m10s")
    }

    @Test func runningTrialsAreTimedByTheirOwnSpeed() throws {
        // 100 batches of 64 tokens done at 6,400 tok/s: 0.01 s per batch. 300 left in this epoch, 400 in the next.
        let eta = try #require(ProgressEstimate.runningSeconds(epoch: 1, epochs: 2, batch: 100, batches: 400, tokens: 6_400,
                                                              tokensPerSecond: 6_400))
        #expect(abs(eta - 7) < 1e-9)
        // Twice as fast, twice as soon: the estimate follows the measured speed, not a constant.
        #expect(ProgressEstimate.runningSeconds(epoch: 1, epochs: 2, batch: 100, batches: 400, tokens: 6_400,
                                                tokensPerSecond: 12_800) == eta / 2)
        #expect(ProgressEstimate.runningSeconds(epoch: 1, epochs: 2, batch: 0, batches: 400, tokens: 0, tokensPerSecond: 0) == nil)
        #expect(ProgressEstimate.fraction(epoch: 2, epochs: 2, batch: 200, batches: 400) == 0.75)
        // Its GFLOP/s: 1e12 FLOPs over 2 × 400 × 64 tokens, at 6,400 tok/s.
        let gflops = try #require(ProgressEstimate.runningGFLOPS(estimatedCost: 1e12, epochs: 2, batch: 100, batches: 400,
                                                                 tokens: 6_400, tokensPerSecond: 6_400))
        #expect(abs(gflops - 1e12 / 51_200 * 6_400 / 1e9) < 1e-9)
    }

    @Test func sweepETASpreadsWorkOverWorkersButWaitsForTheLongestTrial() {
        // 100 + 50 + 30 (and one unknown, counted as their mean, 60) over 2 workers = 120 s.
        #expect(ProgressEstimate.sweepSeconds(trials: [100, 50, 30, nil], longestRunning: 100, workers: 2) == 120)
        // One long trial left: the sweep ends when it does.
        #expect(ProgressEstimate.sweepSeconds(trials: [300, 10], longestRunning: 300, workers: 4) == 300)
        #expect(ProgressEstimate.sweepSeconds(trials: [nil, nil], longestRunning: nil, workers: 2) == nil)
        #expect(ProgressEstimate.plannedSeconds(estimatedCost: 2e10, gflops: 10, fractionDone: 0.5) == 1)
        #expect(ProgressEstimate.plannedSeconds(estimatedCost: 2e10, gflops: 10, fractionDone: 0.5, overhead: 3) == 4)
    }

    @Test func speedsComeFromThisRunsShapeThenCalibrationThenAnyShape() {
        let lstm = ModelConfig(cell: .lstm, hiddenSize: 128), gru = ModelConfig(cell: .gru, hiddenSize: 256)
        let training = TrainingConfig()
        let calibrated = SpeedCalibration(points: [SpeedCalibration.Point(
            shape: SpeedCalibration.shapeKey(gru, training), cell: "gru", hiddenSize: 256, gflops: 7)])
        var book = SpeedBook(calibration: calibrated)
        #expect(book.gflops(model: lstm, training: training)?.source == .calibrated)
        book.add(model: lstm, training: training, gflops: 2)
        book.add(model: lstm, training: training, gflops: 4)
        #expect(book.gflops(model: lstm, training: training)?.gflops == 3)
        #expect(book.gflops(model: lstm, training: training)?.source == .measuredSameShape)
        #expect(book.gflops(model: gru, training: training)?.gflops == 7)
        var uncalibrated = SpeedBook()
        uncalibrated.add(model: lstm, training: training, gflops: 2)
        #expect(uncalibrated.gflops(model: gru, training: training)?.source == .measuredOtherShapes)
        #expect(uncalibrated.overheadSeconds == 0)
        uncalibrated.addTrial(wallSeconds: 12, trainingSeconds: 10)
        uncalibrated.addTrial(wallSeconds: 14, trainingSeconds: 10)
        uncalibrated.addTrial(wallSeconds: 5, trainingSeconds: 10)   // resumed lineage: ignored
        #expect(uncalibrated.overheadSeconds == 3)
        uncalibrated.add(model: lstm, training: training, gflops: .nan)
        #expect(uncalibrated.gflops(model: gru, training: training)?.gflops == 2)
    }

    @Test func runFolderRefusesUnsafeTrialIDsAsPaths() throws {
        let folder = RunFolder(root: URL(fileURLWithPath: "/tmp/runs/x"))
        #expect(folder.checkpointFolder(trialID: "../../etc") == nil)
        #expect(folder.checkpointFolder(trialID: "") == nil)
        #expect(folder.checkpointFolder(trialID: "a1b2c3")?.path == "/tmp/runs/x/checkpoints/a1b2c3")
        #expect(folder.relative(URL(fileURLWithPath: "/tmp/runs/x/checkpoints/a/latest.safetensors")) == "checkpoints/a/latest.safetensors")
        #expect(folder.checkpointFile(trialID: "../../etc", name: "passwd") == nil)
        #expect(folder.checkpointFile(trialID: "a1b2c3", name: "../x") == nil)
        let place = try #require(folder.checkpointFile(trialID: "a1b2c3", name: "epoch-2-attempt-1.safetensors"))
        #expect(place.relative == "checkpoints/a1b2c3/epoch-2-attempt-1.safetensors")
        #expect(place.path == "/tmp/runs/x/checkpoints/a1b2c3/epoch-2-attempt-1.safetensors")
        #expect(place.folder == "/tmp/runs/x/checkpoints/a1b2c3")
        #expect(folder.absolute(place.relative).path == place.path)
    }
}
