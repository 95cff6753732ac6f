import Foundation
@testable import SweepCoordinator
import Testing

@Suite struct TerminalTextTests {
    @Test func controlCharactersAndBidiOverridesBecomeVisibleEscapes() {
        #expect(TerminalText.printable("host-1 é ✓") == "host-1 é ✓")
        #expect(TerminalText.printable("evil\u{1B}[2J\u{7}") == "evil\\u{1b}[2J\\u{7}")
        #expect(TerminalText.printable("a\nb\rc\u{9B}d") == "a\\u{a}b\\u{d}c\\u{9b}d")
        #expect(TerminalText.printable("txt\u{202E}gpj.exe") == "txt\\u{202e}gpj.exe")
    }

    @Test func theLogAndTheLiveViewNeverWriteAPeersEscapeSequence() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tt-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        let view = ProgressView(output: handle, isTerminal: true)
        view.log("worker \u{1B}]0;pwned\u{7} joined")
        view.draw(ProgressSnapshot(sweep: "s", counts: SchedulerCounts(), workers: [
            .init(worker: "w\u{1B}[31m", host: "h\u{8}\u{8}", trial: nil, epoch: nil, epochs: nil, suspect: false, quarantined: false),
        ], etaSeconds: nil))
        try handle.close()
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(!text.contains("\u{1B}]0;"))
        #expect(!text.contains("\u{1B}[31m"))
        #expect(!text.contains("\u{8}"))
        #expect(text.contains("worker \\u{1b}]0;pwned\\u{7} joined"))
    }
}
