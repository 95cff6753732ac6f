import ArgumentParser
import Foundation
import SweepCore

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "List a sweep's trials with parameters, training FLOPs and estimated time.")

    @Argument(help: "The sweep file (JSON).") var file: String
    @Option(help: "Measured training speed in GFLOP/s per worker (e.g. from `bench`).") var gflops: Double = 5
    @Option(help: "Workers the time estimate assumes.") var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() async throws {
        let sweep: SweepFile
        do { sweep = try SweepFile(contentsOf: URL(fileURLWithPath: file), file: file) } catch {
            FileHandle.standardError.write(Data("coordinator: \(error.description)\n".utf8))
            throw ExitCode(error.exitCode)
        }
        // The dataset sets the vocabulary and the number of windows; without it, assume its registry size.
        var length = 1_000_000, vocabulary = 65
        if let dataset = try? await DatasetResolver(allowDownload: false).resolve(for: sweep),
           let text = try? dataset.text(preprocess: sweep.dataset.preprocess) {
            length = text.unicodeScalars.count
            vocabulary = Set(text.unicodeScalars).count
        }
        let trials = sweep.trials(dataset: sweep.registryDataset() ?? DatasetSettings(name: "file", sha256: "", preprocess: sweep.dataset.preprocess))
        let keys = sweep.grid.map(\.key)
        print((["trial", "id"] + keys + ["parameters", "training_flops", "est_seconds"]).joined(separator: "\t"))
        var total = 0.0
        for trial in trials {
            let flops = TrainingCost.estimate(trial.config, datasetLength: length, vocabularySize: vocabulary)
            let params = TrainingCost.parameterCount(trial.config.model, vocabularySize: vocabulary)
            let seconds = flops / (gflops * 1e9)
            total += seconds
            let values = trial.gridValues.map(\.text)
            print(([String(trial.number), trial.id] + values + [String(params), String(format: "%.3e", flops),
                                                               String(format: "%.0f", seconds)]).joined(separator: "\t"))
        }
        print("\(trials.count) trials; \(String(format: "%.0f", total)) s of training at \(gflops) GFLOP/s, " +
              "about \(String(format: "%.0f", total / Double(max(1, workers)))) s on \(workers) workers")
    }
}
