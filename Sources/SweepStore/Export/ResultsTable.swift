import GRDB

/// Builds the `results.csv` table: trial, trial_id, the grid keys, config columns, metrics.
enum ResultsTable {
    /// Columns read from the trial's config JSON.
    static let configColumns = ["cell", "layers", "sequence_length", "hidden_size", "fc_layers", "objective", "split"]
    static let metricColumns = [
        "epochs_run", "best_epoch", "train_loss", "val_loss", "val_accuracy", "val_perplexity", "overfit_pct",
        "training_seconds", "inference_seconds_per_1000_chars", "parameters", "size_mb", "macs_per_char",
        "tokens_per_second", "worker_host", "attempts", "status", "sample",
    ]
    static let leadingColumns = ["trial", "trial_id"]

    /// A trial joined with its result (if any), as the exports need it.
    struct Line {
        var trial: TrialRecord
        var result: TrialResult?
    }

    static func lines(_ db: Database) throws -> [Line] {
        let trials = try Row.fetchAll(db, sql: "SELECT * FROM trials ORDER BY number, trial_id").map(TrialRecord.init(row:))
        var results: [String: TrialResult] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM results") {
            let result = try TrialResult(row: row)
            results[result.trialID] = result
        }
        return trials.map { Line(trial: $0, result: results[$0.trialID]) }
    }

    /// Grid keys in grid order (first appearance over trials by number), minus fixed columns.
    static func gridKeys(_ lines: [Line]) -> [String] {
        let fixed = Set(leadingColumns + configColumns + metricColumns)
        var keys: [String] = []
        var seen = Set<String>()
        for line in lines {
            for entry in line.trial.grid where !fixed.contains(entry.key) && seen.insert(entry.key).inserted {
                keys.append(entry.key)
            }
        }
        return keys
    }

    static func csv(_ db: Database) throws -> String {
        let lines = try lines(db)
        let grid = gridKeys(lines)
        let header = leadingColumns + grid + configColumns + metricColumns
        let rows = lines.map { line in
            let trial = line.trial
            let result = line.result
            let config = ConfigColumns(json: trial.configJSON)
            let gridValues = Dictionary(trial.grid.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            var row = [String(trial.number), trial.trialID]
            row += grid.map { gridValues[$0] ?? "" }
            row += configColumns.map { key in
                let text = config.text(key)
                return text.isEmpty ? gridValues[key] ?? "" : text
            }
            row += [
                CSVNumber.text(result?.epochsRun), CSVNumber.text(result?.bestEpoch),
                CSVNumber.text(result?.trainLoss), CSVNumber.text(result?.valLoss),
                CSVNumber.text(result?.valAccuracy), CSVNumber.text(result?.valPerplexity),
                CSVNumber.text(result?.overfitPct), CSVNumber.text(result?.trainingSeconds),
                CSVNumber.text(result?.inferenceSecondsPer1000), CSVNumber.text(result?.parameters ?? trial.parameters),
                CSVNumber.text(result?.sizeMB), CSVNumber.text(result?.macsPerChar),
                CSVNumber.text(result?.tokensPerSecond), result?.workerHost ?? "",
                String(trial.attempts), trial.status.rawValue, result?.sample ?? "",
            ]
            return row
        }
        return CSVEncoding.document(header: header, rows: rows)
    }
}
