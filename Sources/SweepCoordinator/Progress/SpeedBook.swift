import SweepCore

/// The training speed (GFLOP/s of `TrainingCost`'s FLOPs) to expect of a trial that has not
/// started: what this run measured for trials of the same model shape, else this machine's
/// calibration (`coordinator plan`'s cache), else the mean of what this run measured for any shape.
public struct SpeedBook: Sendable {
    /// Where a speed came from, as `coordinator status` names it.
    public enum Source: String, Sendable, Codable {
        case measuredSameShape = "measured"
        case calibrated = "calibrated"
        case measuredOtherShapes = "measured-other-shapes"
    }

    private var measured: [String: (sum: Double, count: Int)] = [:]
    private var overheads: (sum: Double, count: Int) = (0, 0)
    private let calibration: SpeedCalibration
    private let concurrent: Int

    /// `concurrent`: trainers running at once on a host, which the calibration is keyed by.
    public init(calibration: SpeedCalibration = SpeedCalibration(points: []), concurrent: Int = 1) {
        self.calibration = calibration
        self.concurrent = max(1, concurrent)
    }

    /// A trial of this shape trained at `gflops`; implausible values are ignored.
    public mutating func add(model: ModelConfig, training: TrainingConfig, gflops: Double) {
        guard gflops.isFinite, gflops > 0.001, gflops < 100_000 else { return }
        let key = SpeedCalibration.shapeKey(model, training)
        let old = measured[key] ?? (0, 0)
        measured[key] = (old.sum + gflops, old.count + 1)
    }

    public var hasMeasurements: Bool { !measured.isEmpty }

    /// A finished trial spent `wallSeconds` from assignment to result, `trainingSeconds` of them
    /// training: the rest (reading the text, building the model, sampling, delivering) is a
    /// per-trial overhead the FLOP count does not see, large for small trials.
    public mutating func addTrial(wallSeconds: Double, trainingSeconds: Double) {
        let extra = wallSeconds - trainingSeconds
        guard extra.isFinite, extra >= 0, extra < 86_400 else { return }
        overheads = (overheads.sum + extra, overheads.count + 1)
    }

    /// The mean per-trial overhead measured so far (0 before any).
    public var overheadSeconds: Double { overheads.count > 0 ? overheads.sum / Double(overheads.count) : 0 }

    public func gflops(model: ModelConfig, training: TrainingConfig) -> (gflops: Double, source: Source)? {
        if let same = measured[SpeedCalibration.shapeKey(model, training)] {
            return (same.sum / Double(same.count), .measuredSameShape)
        }
        if let calibrated = calibration.gflops(for: model, training: training, concurrent: concurrent)
            ?? calibration.gflops(for: model, training: training) {
            return (calibrated, .calibrated)
        }
        let all = measured.values.reduce((sum: 0.0, count: 0)) { ($0.sum + $1.sum, $0.count + $1.count) }
        return all.count > 0 ? (all.sum / Double(all.count), .measuredOtherShapes) : nil
    }
}
