import Foundation
import SweepProtocol
import SweepStore

/// Reads the RESULT `result` object (keys documented in docs/run-folder.md) into a store row.
/// Unknown keys are kept in `result_json`; missing or non-numeric ones become empty cells.
enum ResultFields {
    static func storeResult(trialID: String, attempt: Int, worker: WorkerEntry?, status: TrialStatus,
                            result: SweepProtocol.JSONValue) -> StoreTrialResult {
        func number(_ key: String) -> Double? {
            switch result[key] {
            case .double(let v)?: return v
            case .integer(let v)?: return Double(v)
            case .string(let s)?: return Double(s)   // "nan"/"inf" travel as strings
            default: return nil
            }
        }
        func int(_ key: String) -> Int? { number(key).flatMap { $0.isFinite ? Int($0) : nil } }
        let sample = result["sample"]?.stringValue ?? result["samples"]?.arrayValue?.first?.stringValue
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = (try? encoder.encode(result)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return StoreTrialResult(
            trialID: trialID, attempt: attempt, workerID: worker?.id.rawValue, workerHost: worker?.host, status: status,
            epochsRun: int("epochs_run") ?? int("epochs"), bestEpoch: int("best_epoch"), trainLoss: number("train_loss"),
            valLoss: number("val_loss"), valAccuracy: number("val_accuracy"), valPerplexity: number("val_perplexity"),
            overfitPct: number("overfit_pct"), trainingSeconds: number("training_seconds"),
            inferenceSecondsPer1000: number("inference_seconds_per_1000") ?? number("inference_seconds_per_1000_chars"), msPerChar: number("ms_per_char"),
            parameters: int("parameters"), sizeMB: number("size_mb"), macsPerChar: number("macs_per_char"),
            trainingFlops: number("training_flops"), tokensPerSecond: number("tokens_per_second"),
            sample: sample, resultJSON: json)
    }
}
