import GRDB

/// Builds the Shakespeare grid's original results file (`model_results_spear.csv`) from our
/// trials, so old and new numbers sit side by side. Every trial has a row, unfinished ones with
/// empty metric cells.
enum Seed004Table {
    static let header = [
        "Model", "RNN Type", "Sequence Length", "Training Loss", "Validation Loss", "Validation Accuracy",
        "Training time", "Inference Time", "Hidden Size", "Fully Connected Layers", "Parameters", "Size (MB)",
        "Predicted next character",
    ]

    static func csv(_ db: Database) throws -> String {
        let rows = try ResultsTable.lines(db).map { line -> [String] in
            let trial = line.trial
            let result = line.result
            let config = ConfigColumns(json: trial.configJSON)
            let grid = Dictionary(trial.grid.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            func configText(_ key: String) -> String {
                let text = config.text(key)
                return text.isEmpty ? grid[key] ?? "" : text
            }
            return [
                String(trial.number),
                configText("cell").uppercased(),
                configText("sequence_length"),
                CSVNumber.text(result?.trainLoss),
                CSVNumber.text(result?.valLoss),
                CSVNumber.text(result?.valAccuracy),
                CSVNumber.text(result?.trainingSeconds),
                // The original timed generating its 1,000-character sample.
                CSVNumber.text(result?.inferenceSecondsPer1000),
                configText("hidden_size"),
                configText("fc_layers"),
                CSVNumber.text(result?.parameters ?? trial.parameters),
                CSVNumber.text(result?.sizeMB),
                result?.sample ?? "",
            ]
        }
        return CSVEncoding.document(header: header, rows: rows)
    }
}
