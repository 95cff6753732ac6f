import ArgumentParser
import CharRNN
import Foundation
import SweepCore

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "List a sweep's trials with parameters, training FLOPs and estimated time.")

    @Argument(help: "The sweep file (JSON).") var file: String
    @Option(help: "Training speed in GFLOP/s per worker (default: measured with --measure, else 5).") var gflops: Double?
    @Option(help: "Also write each trial as DIR/<number>-<id>.json (input for `worker train`).") var writeTrials: String?
    @Flag(help: "Measure the speed first: train the first trial for a few batches (optimistic: no validation, generation or checkpoints).") var measure = false
    @Option(help: "Workers the time estimate assumes.") var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() async throws {
        let sweep: SweepFile
        do { sweep = try SweepFile(contentsOf: URL(fileURLWithPath: file), file: file) } catch {
            throw exitReporting(error.description, code: error.exitCode)
        }
        // The dataset sets the vocabulary and the number of windows; without it, assume its registry size.
        var length = 1_000_000, vocabulary = 65
        var text: String?
        if let dataset = try? await DatasetResolver(allowDownload: false).resolve(for: sweep),
           let loaded = try? dataset.text(preprocess: sweep.dataset.preprocess) {
            length = loaded.unicodeScalars.count
            vocabulary = Set(loaded.unicodeScalars).count
            text = loaded
        }
        let trials = sweep.trials(dataset: sweep.registryDataset() ?? DatasetSettings(name: "file", sha256: "", preprocess: sweep.dataset.preprocess))
        var gflops = self.gflops ?? 5
        if measure, self.gflops == nil {
            guard let text, let first = trials.first else {
                throw CLIError.usage("--measure needs the dataset on this machine (RNNSWEEP_DATA_DIR or the cache)")
            }
            gflops = try Self.measureGFLOPS(first, text: text)
            print("measured \(String(format: "%.2f", gflops)) GFLOP/s on trial 1 (one core)")
        }
        if let writeTrials {
            let folder = URL(fileURLWithPath: writeTrials)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            for trial in trials {
                try encoder.encode(trial).write(to: folder.appendingPathComponent("\(trial.number)-\(trial.id).json"))
            }
        }
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

extension PlanCommand {
    /// Trains `trial` for a few batches on its dataset and returns training GFLOP/s.
    static func measureGFLOPS(_ trial: Trial, text: String) throws -> Double {
        var training = trial.config.training
        training.epochs = 1
        training.maxBatchesPerEpoch = 20
        var generation = trial.config.generate
        generation.length = 1
        let session = try TrainingSession(text: text, preprocessing: trial.config.dataset.preprocess,
                                          model: trial.config.model, training: training,
                                          split: trial.config.split, generation: generation, seed: trial.seed)
        let report = try session.run()
        guard report.trainingSeconds > 0 else { return 5 }
        return report.trainingFLOPs / report.trainingSeconds / 1e9
    }
}
