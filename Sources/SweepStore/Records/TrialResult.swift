import Foundation
import GRDB

/// The final result of a trial, as a worker reported it. Metrics are optional because a
/// config error or a divergence may end a trial before they exist.
public struct TrialResult: Sendable, Equatable {
    public var trialID: String
    /// The attempt that produced this result.
    public var attempt: Int
    public var workerID: String?
    public var workerHost: String?
    /// done, diverged or config_error (any finished status is accepted).
    public var status: TrialStatus
    public var epochsRun: Int?
    public var bestEpoch: Int?
    public var trainLoss: Double?
    public var valLoss: Double?
    public var valAccuracy: Double?
    public var valPerplexity: Double?
    public var overfitPct: Double?
    public var trainingSeconds: Double?
    public var inferenceSecondsPer1000: Double?
    public var msPerChar: Double?
    public var parameters: Int?
    public var sizeMB: Double?
    public var macsPerChar: Double?
    public var trainingFlops: Double?
    public var tokensPerSecond: Double?
    /// Generated text (prompt + continuation) shown in the CSV's `sample` column.
    public var sample: String?
    /// The complete result as the worker sent it (every prompt's sample, messages, ...).
    public var resultJSON: String

    public init(trialID: String, attempt: Int, workerID: String? = nil, workerHost: String? = nil,
                status: TrialStatus, epochsRun: Int? = nil, bestEpoch: Int? = nil, trainLoss: Double? = nil,
                valLoss: Double? = nil, valAccuracy: Double? = nil, valPerplexity: Double? = nil,
                overfitPct: Double? = nil, trainingSeconds: Double? = nil, inferenceSecondsPer1000: Double? = nil,
                msPerChar: Double? = nil, parameters: Int? = nil, sizeMB: Double? = nil, macsPerChar: Double? = nil,
                trainingFlops: Double? = nil, tokensPerSecond: Double? = nil, sample: String? = nil,
                resultJSON: String) {
        self.trialID = trialID
        self.attempt = attempt
        self.workerID = workerID
        self.workerHost = workerHost
        self.status = status
        self.epochsRun = epochsRun
        self.bestEpoch = bestEpoch
        self.trainLoss = trainLoss
        self.valLoss = valLoss
        self.valAccuracy = valAccuracy
        self.valPerplexity = valPerplexity
        self.overfitPct = overfitPct
        self.trainingSeconds = trainingSeconds
        self.inferenceSecondsPer1000 = inferenceSecondsPer1000
        self.msPerChar = msPerChar
        self.parameters = parameters
        self.sizeMB = sizeMB
        self.macsPerChar = macsPerChar
        self.trainingFlops = trainingFlops
        self.tokensPerSecond = tokensPerSecond
        self.sample = sample
        self.resultJSON = resultJSON
    }

    init(row: Row) throws {
        trialID = row["trial_id"]
        let rawStatus: String = row["status"]
        guard let status = TrialStatus(rawValue: rawStatus) else {
            throw StoreError.corruptValue(table: "results", column: "status", key: row["trial_id"], value: rawStatus)
        }
        self.status = status
        attempt = row["attempt"]
        workerID = row["worker_id"]
        workerHost = row["worker_host"]
        epochsRun = row["epochs_run"]
        bestEpoch = row["best_epoch"]
        trainLoss = row["train_loss"]
        valLoss = row["val_loss"]
        valAccuracy = row["val_accuracy"]
        valPerplexity = row["val_perplexity"]
        overfitPct = row["overfit_pct"]
        trainingSeconds = row["training_seconds"]
        inferenceSecondsPer1000 = row["inference_seconds_per_1000"]
        msPerChar = row["ms_per_char"]
        parameters = row["parameters"]
        sizeMB = row["size_mb"]
        macsPerChar = row["macs_per_char"]
        trainingFlops = row["training_flops"]
        tokensPerSecond = row["tokens_per_second"]
        sample = row["sample"]
        resultJSON = row["result_json"]
    }
}

extension TrialResult {
    /// The row of a result a worker reported: every metric column comes from `metrics` (nil: the
    /// trial ended without a result object, so they stay empty), the stored object is `metrics`
    /// with `message` (if given) in place of its own, and `parameters` is the caller's count.
    public init(trialID: String, attempt: Int, workerID: String?, workerHost: String?, status: TrialStatus,
                parameters: Int?, metrics: ResultMetrics?, message: String?) {
        var kept = metrics ?? ResultMetrics(epochsRun: 0)
        kept.message = message ?? kept.message
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // Plain values with non-finite numbers as strings: encoding cannot fail.
        let json = (try? encoder.encode(kept)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let m = metrics
        self.init(trialID: trialID, attempt: attempt, workerID: workerID, workerHost: workerHost, status: status,
                  epochsRun: m?.epochsRun, bestEpoch: m?.bestEpoch, trainLoss: m?.trainLoss, valLoss: m?.valLoss,
                  valAccuracy: m?.valAccuracy, valPerplexity: m?.valPerplexity, overfitPct: m?.overfitPct,
                  trainingSeconds: m?.trainingSeconds, inferenceSecondsPer1000: m?.inferenceSecondsPer1000,
                  msPerChar: m?.msPerChar, parameters: parameters, sizeMB: m?.sizeMB, macsPerChar: m?.macsPerChar,
                  trainingFlops: m?.trainingFlops, tokensPerSecond: m?.tokensPerSecond, sample: m?.samples.first,
                  resultJSON: json)
    }
}

/// What `recordResult` did.
public enum RecordOutcome: Sendable, Equatable {
    /// This was the trial's first result; it is committed.
    case recorded
    /// The trial already had a result (from `existingAttempt`); nothing changed.
    case duplicate(existingAttempt: Int)
}
