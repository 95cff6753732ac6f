import CharRNN
import Foundation
import SweepCore
import SweepCoordinator
import Testing

/// The planner and the trainer count training FLOPs with one model: if they diverge, plan's time
/// estimates are off by the same factor however well the speed is measured.
@Suite struct PlanCostTests {
    /// A deterministic text of `length` characters over a 20-letter alphabet.
    static func text(_ length: Int) -> String {
        var state: UInt64 = 0x9E37_79B9
        return String((0..<length).map { _ -> Character in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Character(UnicodeScalar(UInt8(97 + (state >> 33) % 20)))
        })
    }

    static let cases: [(String, ModelConfig, TrainingConfig, SplitSpec)] = [
        ("every-step, tail, capped", ModelConfig(cell: .lstm, hiddenSize: 16, embeddingSize: 8, fcLayers: 2),
         TrainingConfig(objective: .everyStep, sequenceLength: 7, batchSize: 5, epochs: 2, maxBatchesPerEpoch: 3),
         SplitSpec(kind: .tail, fraction: 0.1)),
        ("every-step, tail, short last chunk", ModelConfig(cell: .gru, hiddenSize: 12, input: .oneHot),
         TrainingConfig(objective: .everyStep, sequenceLength: 9, batchSize: 4, epochs: 1),
         SplitSpec(kind: .tail, fraction: 0.2)),
        ("every-step, none", ModelConfig(cell: .rnn, hiddenSize: 8),
         TrainingConfig(objective: .everyStep, sequenceLength: 6, batchSize: 3, epochs: 1), SplitSpec(kind: .none)),
        ("last-step, tail, stride 3", ModelConfig(cell: .lstm, hiddenSize: 10, fcLayers: 3),
         TrainingConfig(objective: .lastStep, sequenceLength: 8, stride: 3, batchSize: 16, epochs: 2),
         SplitSpec(kind: .tail, fraction: 0.1)),
        ("last-step, random, capped", ModelConfig(cell: .gru, hiddenSize: 8),
         TrainingConfig(objective: .lastStep, sequenceLength: 5, stride: 2, batchSize: 8, epochs: 1, maxBatchesPerEpoch: 4),
         SplitSpec(kind: .random, fraction: 0.25)),
    ]

    @Test(arguments: 0..<cases.count)
    func planFLOPsEqualTheTrainers(_ index: Int) throws {
        let (name, model, training, split) = Self.cases[index]
        let text = Self.text(1_203)
        var generation = GenerationConfig()
        generation.length = 1
        let config = TrialConfig(model: model, training: training, split: split,
                                 dataset: DatasetSettings(name: "test", sha256: ""), generate: generation)
        let vocabulary = Set(text.unicodeScalars).count
        let planned = TrainingCost.estimate(config, datasetLength: text.unicodeScalars.count, vocabularySize: vocabulary)
        let report = try TrainingSession(text: text, model: model, training: training, split: split,
                                         generation: generation, seed: 1).run()
        #expect((report.metrics.trainingFlops ?? 0) > 0, "\(name)")
        #expect(planned == report.metrics.trainingFlops, "\(name): plan \(planned) vs trainer \(String(describing: report.metrics.trainingFlops))")
    }

    // MARK: the calibration cache

    static func cacheURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("calibration-\(UUID().uuidString)")
            .appendingPathComponent("calibration.json")
    }

    static let point = SpeedCalibration.Point(shape: "lstm H128 x1 every-step B64", cell: "lstm", hiddenSize: 128, gflops: 21.5)

    @Test func aMatchingCacheIsUsed() throws {
        let url = Self.cacheURL()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try CalibrationCache(url: url, binary: "b1", cpu: "cpu A").store([Self.point])
        #expect(CalibrationCache(url: url, binary: "b1", cpu: "cpu A").load() == [Self.point])
    }

    @Test func anotherBinaryOrCPUsCacheIsIgnoredAndRewritten() throws {
        let url = Self.cacheURL()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try CalibrationCache(url: url, binary: "b1", cpu: "cpu A").store([Self.point])
        #expect(CalibrationCache(url: url, binary: "b2", cpu: "cpu A").load().isEmpty)
        #expect(CalibrationCache(url: url, binary: "b1", cpu: "cpu B").load().isEmpty)
        var mine = Self.point
        mine.gflops = 9
        try CalibrationCache(url: url, binary: "b2", cpu: "cpu A").store([mine])
        #expect(CalibrationCache(url: url, binary: "b2", cpu: "cpu A").load() == [mine])
        #expect(CalibrationCache(url: url, binary: "b1", cpu: "cpu A").load().isEmpty)
    }

    @Test(arguments: [
        "not json",
        #"{"version": 2, "binary": "b1", "cpu": "cpu A", "points": []}"#,
        #"{"version": 1, "binary": "b1", "cpu": "cpu A"}"#,
        #"{"version": 1, "binary": "b1", "cpu": "cpu A", "points": [{"shape": "x", "cell": "lstm", "hiddenSize": 128, "gflops": -3}]}"#,
        #"{"version": 1, "binary": "b1", "cpu": "cpu A", "points": [{"shape": "x", "cell": "lstm", "hiddenSize": 0, "gflops": 3}]}"#,
        #"{"version": 1, "binary": "b1", "cpu": "cpu A", "points": [{"shape": "", "cell": "lstm", "hiddenSize": 128, "gflops": 3}]}"#,
        #"{"version": 1, "binary": "b1", "cpu": "cpu A", "points": [{"shape": "x", "cell": "lstm", "hiddenSize": 128, "gflops": 1e300}]}"#,
    ])
    func aBadCacheFileIsIgnoredAndRewritten(_ contents: String) throws {
        let url = Self.cacheURL()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
        let cache = CalibrationCache(url: url, binary: "b1", cpu: "cpu A")
        #expect(cache.load().isEmpty)
        try cache.store([Self.point])
        #expect(cache.load() == [Self.point])
    }

    @Test func speedIsInterpolatedByHiddenSize() {
        let calibration = SpeedCalibration(points: [
            .init(shape: "a", cell: "lstm", hiddenSize: 128, gflops: 10),
            .init(shape: "b", cell: "lstm", hiddenSize: 512, gflops: 30),
        ])
        let training = TrainingConfig()
        #expect(calibration.gflops(for: ModelConfig(cell: .lstm, hiddenSize: 64), training: training) == 10)
        #expect(calibration.gflops(for: ModelConfig(cell: .lstm, hiddenSize: 1024), training: training) == 30)
        let middle = calibration.gflops(for: ModelConfig(cell: .lstm, hiddenSize: 256), training: training) ?? 0
        #expect(abs(middle - 20) < 1e-9) // 256 is halfway between 128 and 512 on a log scale
        #expect(calibration.gflops(for: ModelConfig(cell: .gru, hiddenSize: 128), training: training) == 10)
    }

    @Test func calibrationMeasuresAPositiveSpeed() throws {
        let trial = Trial(number: 1, id: "t", seed: 1, config: TrialConfig(
            model: ModelConfig(cell: .gru, hiddenSize: 32), training: TrainingConfig(sequenceLength: 10, batchSize: 8),
            split: SplitSpec(), dataset: DatasetSettings(name: "test", sha256: ""), generate: GenerationConfig()), gridValues: [])
        let point = try SpeedCalibrator.measure(trial, text: Self.text(20_000), seconds: 0.05)
        #expect(point.gflops > 0 && point.gflops.isFinite)
        #expect(point.shape == SpeedCalibration.shapeKey(trial.config.model, trial.config.training))
    }
}
