import ArgumentParser
import CharRNN
import Foundation
import SweepCore
import SweepCoordinator

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "List a sweep's trials with parameters, training FLOPs and estimated time.")

    @Argument(help: "The sweep file (JSON).") var file: String
    @Option(help: "Training speed in GFLOP/s per worker for every trial (default: calibrated on this machine per model shape, cached).") var gflops: Double?
    @Option(help: "Also write each trial as DIR/<number>-<id>.json (input for `worker train`).") var writeTrials: String?
    @Flag(help: "Calibrate again even if this binary and CPU have cached speeds.") var recalibrate = false
    @Option(help: "The calibration cache (default: $XDG_CACHE_HOME or ~/.cache, rnnsweep/calibration.json).") var calibrationFile: String?
    @Option(help: "Seconds each calibrated shape trains per epoch (two epochs, the second timed).") var calibrationSeconds: Double = 0.5
    @Option(help: "Workers the time estimate assumes.") var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() async throws {
        let sweep: SweepFile
        do { sweep = try SweepFile(contentsOf: URL(fileURLWithPath: file), file: file) } catch {
            throw exitReporting(error.description, code: error.exitCode)
        }
        // The dataset sets the vocabulary and the number of windows; without it, assume its registry size.
        var length = 1_000_000, vocabulary = 65
        var text: String?
        let trials: [Trial]
        do {
            let dataset = try await DatasetResolver(allowDownload: false).resolve(for: sweep)
            let loaded = try dataset.text(preprocess: sweep.dataset.preprocess)
            length = loaded.unicodeScalars.count
            vocabulary = Set(loaded.unicodeScalars).count + (sweep.dataset.unkToken ? 1 : 0)
            text = loaded
            // The dataset's identity as `run` will record it, so ids and trial files match the run's.
            trials = sweep.trials(dataset: dataset)
        } catch {
            if let registered = sweep.registryDataset() {
                trials = sweep.trials(dataset: registered)
            } else if writeTrials != nil {
                // A trial file must name its dataset's hash, or `worker train` cannot find the text.
                throw exitReporting("\(file): dataset: cannot read it for --write-trials: \(error)", code: 2)
            } else {
                trials = sweep.trials(dataset: DatasetSettings(name: "file", sha256: "", preprocess: sweep.dataset.preprocess,
                                                               unkToken: sweep.dataset.unkToken))
            }
        }
        let speed = try calibration(trials, text: text)
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
        // training_flops and est_seconds stay the last two columns: tools read them by position.
        print((["trial", "id"] + keys + ["parameters", "gflops", "training_flops", "est_seconds"]).joined(separator: "\t"))
        var total = 0.0
        for trial in trials {
            let flops = TrainingCost.estimate(trial.config, datasetLength: length, vocabularySize: vocabulary)
            let validation = TrainingCost.validationFLOPs(trial.config, datasetLength: length, vocabularySize: vocabulary)
            let params = TrainingCost.parameterCount(trial.config.model, vocabularySize: vocabulary)
            let gflops = self.gflops ?? speed.gflops(for: trial.config.model, training: trial.config.training,
                                                     concurrent: concurrent) ?? 1
            // training_seconds include the validation pass after each epoch.
            let seconds = (flops + validation) / (gflops * 1e9)
            total += seconds
            let values = trial.gridValues.map(\.text)
            print(([String(trial.number), trial.id] + values + [String(params), String(format: "%.1f", gflops), String(format: "%.3e", flops),
                                                               String(format: "%.0f", seconds)]).joined(separator: "\t"))
        }
        print("\(trials.count) trials; \(String(format: "%.0f", total)) s of training, " +
              "about \(String(format: "%.0f", total / Double(max(1, workers)))) s on \(workers) workers")
    }
}

extension PlanCommand {
    /// The per-shape speeds to plan with: none if `--gflops` is given, else this binary's and
    /// CPU's cached calibration, measuring (and caching) the sweep's shapes it lacks.
    /// Trainers that run at once on this host: they slow each other, so calibration runs as many.
    var concurrent: Int { max(1, min(workers, ProcessInfo.processInfo.activeProcessorCount)) }

    func calibration(_ trials: [Trial], text: String?) throws -> SpeedCalibration {
        if let gflops {
            guard gflops.isFinite, gflops > 0 else { throw CLIError.usage("--gflops must be a positive number") }
            print("speed: \(gflops) GFLOP/s per worker, given with --gflops")
            return SpeedCalibration(points: [])
        }
        let cache = CalibrationCache(url: calibrationFile.map { URL(fileURLWithPath: $0) } ?? CalibrationCache.defaultURL())
        let cached = recalibrate ? [] : cache.load()
        let known = Set(cached.map(\.shape))
        let missing = SpeedCalibrator.representatives(trials).filter {
            !known.contains(SpeedCalibration.shapeKey($0.config.model, $0.config.training, concurrent: concurrent))
        }
        if missing.isEmpty {
            print("speed: calibrated per model shape, from the cache at \(cache.url.path)")
            return SpeedCalibration(points: cached)
        }
        // The sweep's own text when it is here; the speed does not depend on the characters.
        let sample = text ?? SpeedCalibrator.syntheticText()
        let clock = ContinuousClock(), start = clock.now
        var measured: [SpeedCalibration.Point] = []
        for trial in missing {
            let point = try SpeedCalibrator.measure(trial, text: sample, seconds: calibrationSeconds, concurrent: concurrent)
            print("calibrated \(point.shape): \(String(format: "%.1f", point.gflops)) GFLOP/s (trial \(trial.number))")
            measured.append(point)
        }
        do { try cache.store(measured) } catch {
            print("note: could not write the calibration cache \(cache.url.path): \(error)")
        }
        let seconds = (clock.now - start).components.seconds
        print("speed: calibrated now (\(measured.count) shape(s), \(seconds) s), cached at \(cache.url.path)")
        return SpeedCalibration(points: cached.filter { p in !measured.contains { $0.shape == p.shape } } + measured)
    }
}
