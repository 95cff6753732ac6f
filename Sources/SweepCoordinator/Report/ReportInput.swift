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

/// What `report.html` shows: the results table, which split was used, curves, and the run's state.
public struct ReportInput: Sendable {
    public var sweepName: String
    /// Human description of the validation split, e.g. "tail, last 10% of the text".
    public var split: String
    /// The store's results table (results.csv's columns, as values rather than CSV text).
    public var results: ExportTable
    /// Curves by trial id, in the table's order when drawn.
    public var curves: [String: [CurvePoint]]
    public var generatedAt: Date
    public var dataset: String
    /// Every grid key in sweep-file order, including those with a fixed column (`cell`, `hidden_size`).
    public var gridKeys: [String]
    /// The sweep is still running: the page reloads itself and says so.
    public var live: Bool
    public var refreshSeconds: Int
    /// Why a trial did not finish cleanly: its last attempt's outcome and message, by trial id.
    public var reasons: [String: String]
    /// Early-stopping marks by trial id ("3 ✓ · 9 ✗ · 9 ↑"); empty without early stopping.
    public var decisions: [String: String] = [:]

    public init(sweepName: String, split: String, results: ExportTable, curves: [String: [CurvePoint]],
                generatedAt: Date = Date(), dataset: String = "", gridKeys: [String] = [], live: Bool = false,
                refreshSeconds: Int = 30, reasons: [String: String] = [:]) {
        self.sweepName = sweepName
        self.split = split
        self.results = results
        self.curves = curves
        self.generatedAt = generatedAt
        self.dataset = dataset
        self.gridKeys = gridKeys
        self.live = live
        self.refreshSeconds = refreshSeconds
        self.reasons = reasons
    }

    /// Everything the report needs from the store. `results`: the results table, if the caller has
    /// just read it (the run's end exports it first); otherwise it is read here.
    public static func load(from store: SweepStore, sweepName: String, split: String, dataset: String,
                            live: Bool, results: ExportTable? = nil) throws -> ReportInput {
        let trials = try store.allTrials()
        var keys: [String] = []
        for trial in trials { for entry in trial.grid where !keys.contains(entry.key) { keys.append(entry.key) } }
        var reasons: [String: String] = [:]
        let unfinished = trials.filter { $0.status.isFinished && $0.status != .done }
        let attempts = unfinished.isEmpty ? [:] : try store.attemptsByTrial()
        for trial in unfinished {
            guard let last = attempts[trial.trialID]?.last else { continue }
            reasons[trial.trialID] = [last.outcome, last.message].compactMap { $0 }.joined(separator: ": ")
        }
        var input = ReportInput(sweepName: sweepName, split: split, results: try results ?? store.table(.results),
                                curves: try curves(from: store), dataset: dataset, gridKeys: keys, live: live, reasons: reasons)
        input.decisions = ReportDecisions.marks(try store.events(kinds: ["decision", "promoted"]))
        return input
    }

    /// Every stored trial's losses by epoch; a missing loss is NaN, which the chart skips.
    public static func curves(from store: SweepStore) throws -> [String: [CurvePoint]] {
        // One read for all trials, not one per trial.
        let epochs = try store.epochsByTrial()
        var curves: [String: [CurvePoint]] = [:]
        for trial in try store.allTrials() {
            curves[trial.trialID] = (epochs[trial.trialID] ?? []).map {
                CurvePoint(epoch: $0.epoch, trainLoss: $0.trainLoss ?? .nan, valLoss: $0.valLoss ?? .nan)
            }
        }
        return curves
    }
}
