import Foundation
@testable import SweepCore

/// Paths and temporary files shared by the tests.
enum TestFiles {
    /// The package root, found from this file's path (Tests/SweepCoreTests/TestFiles.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `RNNSWEEP_DATA_DIR`, else `../shared/data` beside the package (as the Makefile does).
    static var dataDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["RNNSWEEP_DATA_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    /// A fresh empty folder under the system temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sweepcore-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A path under the temporary directory that is never created (a cache that must stay unused).
    static var unusedDirectory: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sweepcore-unused-\(UUID().uuidString)", isDirectory: true)
    }

    /// Writes `text` to a file in a fresh folder.
    static func write(_ text: String, fileName: String = "sweep.json") throws -> URL {
        let url = try temporaryDirectory().appendingPathComponent(fileName)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Writes `text` to a sweep file in a fresh folder and parses it.
    static func parse(_ text: String, fileName: String = "sweep.json") throws -> SweepFile {
        let url = try write(text, fileName: fileName)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        return try SweepFile(contentsOf: url, file: "sweeps/" + fileName)
    }

    static func sweep(named name: String) throws -> SweepFile {
        try SweepFile(contentsOf: packageRoot.appendingPathComponent("sweeps/\(name)"), file: "sweeps/\(name)")
    }
}
