import CharRNN
import Foundation
import SweepCore

/// Training speed of this machine in GFLOP/s (the FLOPs of `ModelConfig`'s cost model), per model
/// shape: GEMM speed depends on the hidden size and the cell far more than on anything else, so one
/// number for a whole sweep is off by 2x at either end of a grid.
public struct SpeedCalibration: Sendable, Equatable {
    public struct Point: Codable, Sendable, Equatable {
        /// `Self.shapeKey` of the measured configuration.
        public var shape: String
        public var cell: String
        public var hiddenSize: Int
        public var gflops: Double

        public init(shape: String, cell: String, hiddenSize: Int, gflops: Double) {
            self.shape = shape; self.cell = cell; self.hiddenSize = hiddenSize; self.gflops = gflops
        }

        /// Nothing read from disk is trusted: a point must be a plausible measurement.
        var isValid: Bool {
            !shape.isEmpty && shape.count <= 200 && !cell.isEmpty && cell.count <= 20
                && (1...1_000_000).contains(hiddenSize) && gflops.isFinite && gflops > 0.001 && gflops < 100_000
        }
    }

    public var points: [Point]

    public init(points: [Point]) { self.points = points }

    /// What a measurement is keyed by: the things that change the kernels' speed, and how many
    /// trainers ran at once (they share caches and memory bandwidth).
    public static func shapeKey(_ model: ModelConfig, _ training: TrainingConfig, concurrent: Int = 1) -> String {
        "\(model.cell.rawValue) H\(model.hiddenSize) x\(model.layers) \(training.objective.rawValue) B\(training.batchSize)"
            + (concurrent > 1 ? " with \(concurrent) at once" : "")
    }

    /// GFLOP/s for a trial: its shape's measurement, else interpolated by hidden size (on a log
    /// scale, clamped at the ends) among the same cell's points, else among all points.
    public func gflops(for model: ModelConfig, training: TrainingConfig, concurrent: Int = 1) -> Double? {
        let key = Self.shapeKey(model, training, concurrent: concurrent)
        if let exact = points.first(where: { $0.shape == key }) { return exact.gflops }
        let sameCell = points.filter { $0.cell == model.cell.rawValue }
        let candidates = (sameCell.isEmpty ? points : sameCell).sorted { $0.hiddenSize < $1.hiddenSize }
        guard let first = candidates.first, let last = candidates.last else { return nil }
        let h = Double(model.hiddenSize)
        if h <= Double(first.hiddenSize) { return first.gflops }
        if h >= Double(last.hiddenSize) { return last.gflops }
        for (a, b) in zip(candidates, candidates.dropFirst()) where Double(b.hiddenSize) >= h {
            guard b.hiddenSize > a.hiddenSize else { return b.gflops }
            let t = log(h / Double(a.hiddenSize)) / log(Double(b.hiddenSize) / Double(a.hiddenSize))
            return a.gflops + t * (b.gflops - a.gflops)
        }
        return last.gflops
    }
}

/// Calibrations kept between runs, valid only for the binary and CPU that measured them: a rebuilt
/// trainer or another host has other kernels' speed.
public struct CalibrationCache: Sendable {
    public let url: URL
    /// Identity of the executable (size and modification time).
    public let binary: String
    public let cpu: String

    public init(url: URL = Self.defaultURL(), binary: String = Self.executableIdentity(), cpu: String = Self.cpuModel()) {
        self.url = url; self.binary = binary; self.cpu = cpu
    }

    private struct File: Codable {
        var version: Int
        var binary: String
        var cpu: String
        var points: [SpeedCalibration.Point]
    }

    static let version = 1

    /// `$XDG_CACHE_HOME/rnnsweep/calibration.json`, else `~/.cache/rnnsweep/calibration.json`.
    public static func defaultURL() -> URL {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CACHE_HOME"].flatMap { $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : nil }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("rnnsweep").appendingPathComponent("calibration.json")
    }

    /// Size and modification time of this process's executable: changes with every rebuild.
    public static func executableIdentity() -> String {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? NSNumber, let modified = attributes[.modificationDate] as? Date
        else { return "unknown" }
        return "\(size.int64Value)-\(Int64(modified.timeIntervalSince1970 * 1000))"
    }

    /// The CPU's model name from /proc/cpuinfo (x86 `model name`, else the first identifying line).
    public static func cpuModel() -> String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for key in ["model name", "Model", "CPU part"] {
            for line in info.split(separator: "\n") where line.hasPrefix(key) {
                if let colon = line.firstIndex(of: ":") {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return "unknown"
    }

    /// The cached points for this binary and CPU; none if the file is missing, unreadable, too
    /// large, of another version, binary or CPU, or holds an implausible value.
    public func load() -> [SpeedCalibration.Point] {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              let size = attributes[.size] as? NSNumber, size.intValue <= 1 << 20,
              let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(File.self, from: data),
              file.version == Self.version, file.binary == binary, file.cpu == cpu,
              file.points.count <= 10_000, file.points.allSatisfy(\.isValid)
        else { return [] }
        return file.points
    }

    /// Adds `points` to this binary's and CPU's cached ones (a new shape's measurement replaces an
    /// old one); anything else in the file is dropped.
    public func store(_ points: [SpeedCalibration.Point]) throws {
        var merged = load()
        for point in points {
            merged.removeAll { $0.shape == point.shape }
            merged.append(point)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(File(version: Self.version, binary: binary, cpu: cpu, points: merged))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }
}

/// Measures training speed by training a few batches of real trial configurations.
public enum SpeedCalibrator {
    /// As `measure(_:text:seconds:)`, with `concurrent` copies training at once, as that many
    /// workers on one host do; the mean of their speeds.
    public static func measure(_ trial: Trial, text: String, seconds: Double = 0.5, concurrent: Int) throws -> SpeedCalibration.Point {
        let count = max(1, concurrent)
        let results = Results(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { i in
            results.set(i, Result { try measure(trial, text: text, seconds: seconds) })
        }
        let points = try results.all().map { try $0.get() }
        var point = points[0]
        point.shape = SpeedCalibration.shapeKey(trial.config.model, trial.config.training, concurrent: count)
        point.gflops = points.map(\.gflops).reduce(0, +) / Double(count)
        return point
    }

    /// The concurrent runs' outcomes; each run writes its own slot.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Result<SpeedCalibration.Point, any Error>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ value: Result<SpeedCalibration.Point, any Error>) { lock.withLock { values[i] = value } }
        func all() -> [Result<SpeedCalibration.Point, any Error>] {
            lock.withLock { values.map { $0 ?? .failure(CalibrationError(message: "a calibration run did not finish")) } }
        }
    }

    /// One trial per shape of `trials` (the first of each), the shapes `SpeedCalibration` keys by.
    public static func representatives(_ trials: [Trial]) -> [Trial] {
        var seen = Set<String>()
        return trials.filter { seen.insert(SpeedCalibration.shapeKey($0.config.model, $0.config.training)).inserted }
    }

    /// GFLOP/s of `trial` on `text`: two short epochs, the second timed (the first pays for
    /// allocation and cold caches), counting its training and validation FLOPs with the plan's
    /// model. Batches are picked to make an epoch about `seconds` long at a guessed speed, at least one.
    public static func measure(_ trial: Trial, text: String, seconds: Double = 0.5) throws -> SpeedCalibration.Point {
        let vocabulary = Set(text.unicodeScalars).count
        var model = trial.config.model
        model.vocabSize = vocabulary
        var training = trial.config.training
        let perBatch = 6 * Double(model.forwardMACs(objective: training.objective, sequenceLength: training.sequenceLength))
            * Double(training.batchSize)
        let guessedFLOPS = 100e9
        training.epochs = 1
        training.maxBatchesPerEpoch = max(1, Int(seconds * guessedFLOPS / max(perBatch, 1)))
        let tokens = text.unicodeScalars.count
        let work = model.trainingFLOPs(training: training, split: trial.config.split, tokenCount: tokens)
            + model.validationFLOPs(training: training, split: trial.config.split, tokenCount: tokens)
        training.epochs = 2
        var generation = trial.config.generate
        generation.length = 1
        let session = try TrainingSession(text: text, preprocessing: .none, model: trial.config.model,
                                          training: training, split: trial.config.split, generation: generation,
                                          seed: trial.seed)
        let report = try session.run()
        guard report.metrics.history.count == 2, report.metrics.history[1].seconds > 0 else {
            throw CalibrationError(message: "calibration run of trial \(trial.number) ended early: \(report.status)")
        }
        return SpeedCalibration.Point(shape: SpeedCalibration.shapeKey(trial.config.model, trial.config.training),
                                      cell: model.cell.rawValue, hiddenSize: model.hiddenSize,
                                      gflops: work / report.metrics.history[1].seconds / 1e9)
    }

    /// A stand-in text when the sweep's dataset is not on this machine: speed does not depend on
    /// the characters, only on the vocabulary size and length.
    public static func syntheticText(vocabularySize: Int = 65, length: Int = 400_000) -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = (0..<max(1, vocabularySize)).map { Character(UnicodeScalar(UInt8(32 + $0 % 95))) }
        return String((0..<length).map { _ in alphabet[Int.random(in: alphabet.indices, using: &generator)] })
    }
}

public struct CalibrationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
