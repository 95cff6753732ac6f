import Foundation
import SweepStore

/// One point of a training curve.
public struct CurvePoint: Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var valLoss: Double
    public init(epoch: Int, trainLoss: Double, valLoss: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.valLoss = valLoss
    }
}

/// What `report.html` shows: the results table, which split was used, and curves.
public struct ReportInput: Sendable {
    public var sweepName: String
    /// Human description of the validation split, e.g. "tail, last 10% of the text".
    public var split: String
    /// The store's results table (results.csv's columns, as values rather than CSV text).
    public var results: ExportTable
    /// Curves by trial id, in the table's order when drawn.
    public var curves: [String: [CurvePoint]]
    public var generatedAt: Date
    public init(sweepName: String, split: String, results: ExportTable, curves: [String: [CurvePoint]],
                generatedAt: Date = Date()) {
        self.sweepName = sweepName
        self.split = split
        self.results = results
        self.curves = curves
        self.generatedAt = generatedAt
    }

    /// Every stored trial's losses by epoch; a missing loss is NaN, which the chart skips.
    public static func curves(from store: SweepStore) throws -> [String: [CurvePoint]] {
        var curves: [String: [CurvePoint]] = [:]
        for trial in try store.allTrials() {
            curves[trial.trialID] = try store.epochs(trialID: trial.trialID).map {
                CurvePoint(epoch: $0.epoch, trainLoss: $0.trainLoss ?? .nan, valLoss: $0.valLoss ?? .nan)
            }
        }
        return curves
    }
}
