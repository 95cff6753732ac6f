import Foundation
import Testing
@testable import CharRNN

/// Locates the shared datasets: `RNNSWEEP_DATA_DIR`, else `../shared/data` next to the package root
/// (found from this file's path). A missing file fails the test with its path; nothing is skipped.
enum TestData {
    static var directory: String {
        if let dir = ProcessInfo.processInfo.environment["RNNSWEEP_DATA_DIR"], !dir.isEmpty { return dir }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent("../shared/data").standardizedFileURL.path
    }

    static func path(_ name: String) -> String { directory + "/" + name }

    static func corpus(_ name: String, _ preprocessing: Preprocessing = .none) throws -> Corpus {
        try Corpus(contentsOfFile: path(name), preprocessing: preprocessing)
    }

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    static let shakespeareLength = 1_115_394
}

@Suite struct DataFilesTests {
    @Test func tinyShakespeareLoadsWithItsKnownSize() throws {
        let corpus = try TestData.corpus("tinyshakespeare.txt")
        #expect(corpus.tokens.count == TestData.shakespeareLength)
        #expect(corpus.text.unicodeScalars.count == TestData.shakespeareLength)
        #expect(corpus.preprocessing == .none)
    }

    @Test func nextcharHas44Symbols() throws {
        // SOURCES.md: 44 distinct characters.
        #expect(try TestData.corpus("nextchar.txt").vocabulary.count == 44)
    }

    @Test func missingFileIsAnErrorNamingIt() {
        let path = TestData.path("no-such-dataset.txt")
        let error = #expect(throws: DataError.self) { try Corpus(contentsOfFile: path) }
        #expect(error?.description.contains(path) == true)
    }

    @Test func invalidUTF8IsAnErrorNamingTheFile() throws {
        let path = NSTemporaryDirectory() + "rnnsweep-invalid-utf8-\(getpid()).txt"
        try Data([0x61, 0xFF, 0xFE, 0x62]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: DataError.unreadableFile(path: path, reason: "not valid UTF-8")) { try Corpus(contentsOfFile: path) }
    }
}
