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
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a sweep's progress from its store.")
    @OptionGroup var target: RunFolderArgument

    func run() throws {
        let store = try SweepStore(path: try target.folder().database.path)
        let summary = try store.statusSummary()
        let order: [TrialStatus] = [.done, .running, .queued, .diverged, .configError, .failed, .stopped]
        let counts = order.map { "\($0.rawValue) \(summary.counts[$0] ?? 0)" }.joined(separator: ", ")
        print("\(summary.total) trials: \(counts)")
        for trial in summary.running {
            let epoch = trial.lastEpoch.map { "epoch \($0)" + (trial.plannedEpochs.map { "/\($0)" } ?? "") } ?? "starting"
            // Big trials spend minutes in their first epoch: say for how long this attempt has run.
            let elapsed = trial.startedAt.map { ", for " + ProgressView.format(seconds: max(0, Date().timeIntervalSince($0))) } ?? ""
            print("  running #\(trial.number) \(trial.trialID) attempt \(trial.attempt) on \(trial.host ?? trial.workerID ?? "?"): \(epoch)\(elapsed)")
        }
        let finishedSeconds = summary.finished.compactMap(\.wallSeconds)
        if !finishedSeconds.isEmpty, (summary.counts[.queued] ?? 0) + summary.running.count > 0, let workers = Optional(max(1, summary.running.count)) {
            let mean = finishedSeconds.reduce(0, +) / Double(finishedSeconds.count)
            let remaining = Double((summary.counts[.queued] ?? 0)) + Double(summary.running.count) * 0.5
            print("ETA about \(ProgressView.format(seconds: remaining * mean / Double(workers)))")
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
