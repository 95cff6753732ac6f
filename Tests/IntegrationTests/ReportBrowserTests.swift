import Foundation
import SweepTestSupport
import Testing

/// Headless Chromium, found on PATH. CI installs it (.ci/run); elsewhere the test is skipped with
/// this reason rather than passing without a browser. In CI (`CI` set) a missing browser fails.
enum Chromium {
    static let path: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .map { "\($0)/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    static let inCI = !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty
    static let usable = path != nil || inCI
}

/// A real smoke sweep's report.html, opened in a real browser: the DOM it builds and a screenshot.
@Suite(.serialized)
struct ReportBrowserTests {
    @Test(.enabled(if: Chromium.usable, "chromium is not on PATH (apt-get install chromium); report.html is not rendered"))
    func smokeSweepReportRendersInChromium() throws {
        let chromium = try #require(Chromium.path, "CI must install chromium (see .ci/run)")
        // Kept on purpose: the run folder holds report.png for a person to look at.
        let folder = try temporaryFolder("report")
        let sweep = Repository.root.appendingPathComponent("sweeps/smoke.json")
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "2", "--runs", folder.path],
                            in: folder, name: "coordinator")
        #expect(run.wait(seconds: 120) == 0, "coordinator: \(run.stderr.suffix(2000))")
        let runFolder = folder.appendingPathComponent("runs/smoke")
        let report = runFolder.appendingPathComponent("report.html")
        let html = try String(contentsOf: report, encoding: .utf8)
        #expect(HTMLCheck.unbalancedTags(html) == [])
        #expect(HTMLCheck.externalReferences(html) == [])
        #expect(!html.contains("http-equiv=\"refresh\""), "a finished sweep's page must stop reloading")

        let profile = folder.appendingPathComponent("chromium-profile").path
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)", "--hide-scrollbars"]
        let dumped = try Child(URL(fileURLWithPath: chromium), common + ["--dump-dom", report.absoluteString],
                               in: folder, name: "chromium-dom")
        #expect(dumped.wait(seconds: 90) == 0, "chromium: \(dumped.stderr.suffix(2000))")
        let dom = dumped.stdout
        func count(_ marker: String) -> Int { dom.components(separatedBy: marker).count - 1 }
        // smoke.json: 2 cells × 2 hidden sizes = 4 trials, grid keys cell and hidden_size.
        #expect(count("<tr class=\"lb") == 4, "leaderboard rows")
        #expect(count("<figure class=\"effect\"") == 2, "one effect plot per grid key")
        #expect(dom.contains("data-key=\"cell\"") && dom.contains("data-key=\"hidden_size\""))
        #expect(count("<pre class=\"sample\">") >= 1, "samples of the best trials")
        #expect(count("<figure class=\"curve\">") == 4, "one small chart per trial")
        #expect(count("<figure class=\"tradeoff\">") == 2)

        let screenshot = runFolder.appendingPathComponent("report.png")
        let shot = try Child(URL(fileURLWithPath: chromium),
                             common + ["--screenshot=\(screenshot.path)", "--window-size=1280,2400", report.absoluteString],
                             in: folder, name: "chromium-shot")
        #expect(shot.wait(seconds: 90) == 0, "chromium: \(shot.stderr.suffix(2000))")
        let bytes = (try? FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0
        #expect(bytes > 20_000, "screenshot \(screenshot.path) is \(bytes) bytes")
        print("report screenshot: \(screenshot.path)")
    }
}
