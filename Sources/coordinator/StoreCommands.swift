import ArgumentParser
import Foundation
import SweepCoordinator
import SweepCore
import SweepStore

/// A run folder named by sweep name (runs/<name>) or by path.
struct RunFolderArgument: ParsableArguments {
    @Argument(help: "Sweep name (runs/<name>) or a run folder path.") var run: String
    @Option(help: "Folder that holds runs/.") var runs: String?

    func folder() throws -> RunFolder {
        let direct = URL(fileURLWithPath: run)
        if FileManager.default.fileExists(atPath: direct.appendingPathComponent("sweep.db").path) { return RunFolder(root: direct) }
        let base = runs.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let folder = RunFolder(sweepName: run, base: base)
        guard FileManager.default.fileExists(atPath: folder.database.path) else {
            throw exitReporting("no run \(run.debugDescription): \(folder.database.path) does not exist")
        }
        return folder
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a sweep's progress from its store: counts and ETA, running trials, the best five, workers.")
    @OptionGroup var target: RunFolderArgument
    @Flag(help: "Print JSON for scripts (its shape: docs/status.md).") var json = false

    func run() throws {
        let folder = try target.folder()
        let store = try SweepStore(path: folder.database.path)
        // This machine's calibrated speeds (`coordinator plan`) time trials of shapes the run has not measured.
        let progress = try SweepProgress.load(from: store, sweep: folder.root.lastPathComponent,
                                              calibration: SpeedCalibration(points: CalibrationCache().load()))
        if json {
            print(try StatusText.json(progress))
        } else {
            for line in StatusText.lines(progress) { print(line) }
            if let line = SlurmStatusLine.text(for: folder) { print(line) }
        }
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write a CSV export of a sweep.")
    @OptionGroup var target: RunFolderArgument
    @Option(help: "results | curves | seed004") var format: String = "results"
    @Option(help: "Output file (default: standard output).") var output: String?

    func run() throws {
        guard let kind = CSVExport(rawValue: format) else {
            throw exitReporting("--format \(format.debugDescription) is not one of results, curves, seed004")
        }
        let store = try SweepStore(path: try target.folder().database.path)
        if let output { try store.export(kind, to: output) } else { print(try store.csv(kind), terminator: "") }
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Rewrite results.csv, curves.csv and report.html.")
    @OptionGroup var target: RunFolderArgument

    func run() throws {
        let folder = try target.folder()
        let store = try SweepStore(path: folder.database.path)
        try store.exportAll(to: folder.root.path)
        let results = try store.table(.results)
        let split = results.column("split")?.first?.text ?? "see results.csv"
        let name = folder.root.lastPathComponent
        let html = ReportWriter.html(try ReportInput.load(from: store, sweepName: name, split: split,
                                                          dataset: Self.datasetName(folder), live: false))
        try Data(html.utf8).write(to: folder.reportHTML, options: .atomic)
        print(folder.reportHTML.path)
    }

    /// From the run folder's copy of the sweep file; the report still renders without it.
    static func datasetName(_ folder: RunFolder) -> String {
        guard let sweep = try? SweepFile(contentsOf: folder.sweepCopy, file: folder.sweepCopy.lastPathComponent) else { return "" }
        switch sweep.dataset.source {
        case .registry(let name): return name
        case .file(let url): return url.lastPathComponent
        }
    }
}

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Write a CURVE key pair (PREFIX.key, secret) and its public key (PREFIX.pub).")
    @Argument(help: "Path prefix, e.g. keys/coordinator.") var prefix: String

    func run() throws {
        let pair = try CurveKeyFiles.generate()
        let keyFile = URL(fileURLWithPath: prefix + ".key"), pubFile = URL(fileURLWithPath: prefix + ".pub")
        try FileManager.default.createDirectory(at: keyFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try CurveKeyFiles.write(pair, to: keyFile)
        try Data((pair.publicKey + "\n").utf8).write(to: pubFile, options: .atomic)
        print("wrote \(keyFile.path) (keep private) and \(pubFile.path)")
    }
}
