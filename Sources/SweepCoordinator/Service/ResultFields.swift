import Foundation
import SweepProtocol
import SweepStore

/// Turns a RESULT's `result` object into a store row. The parameter count is the coordinator's
/// own (from the trial's config), never the worker's.
enum ResultFields {
    static func storeResult(trialID: String, attempt: Int, worker: WorkerEntry?, status: TrialStatus,
                            metrics: ResultMetrics?, message: String?, parameters: Int?) -> StoreTrialResult {
        let m = metrics ?? ResultMetrics(epochsRun: 0)
        var kept = m
        kept.message = message ?? m.message
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = (try? encoder.encode(kept)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return StoreTrialResult(
            trialID: trialID, attempt: attempt, workerID: worker?.id.rawValue, workerHost: worker?.host, status: status,
            epochsRun: metrics?.epochsRun, bestEpoch: m.bestEpoch, trainLoss: m.trainLoss, valLoss: m.valLoss,
            valAccuracy: m.valAccuracy, valPerplexity: m.valPerplexity, overfitPct: m.overfitPct,
            trainingSeconds: m.trainingSeconds, inferenceSecondsPer1000: m.inferenceSecondsPer1000, msPerChar: m.msPerChar,
            parameters: parameters, sizeMB: m.sizeMB, macsPerChar: m.macsPerChar, trainingFlops: m.trainingFlops,
            tokensPerSecond: m.tokensPerSecond, sample: m.samples.first, resultJSON: json)
    }

    /// Why the result cannot belong to a trial of `epochs` epochs, or nil when it can.
    static func outOfRange(_ m: ResultMetrics, epochs: Int) -> String? {
        if m.epochsRun > epochs { return "epochs_run \(m.epochsRun) exceeds the trial's \(epochs) epochs" }
        if let best = m.bestEpoch, best > epochs { return "best_epoch \(best) exceeds the trial's \(epochs) epochs" }
        if m.history.count > epochs { return "history has \(m.history.count) entries for \(epochs) epochs" }
        if let bad = m.history.first(where: { $0.epoch > epochs }) { return "history epoch \(bad.epoch) exceeds \(epochs)" }
        return nil
    }
}
