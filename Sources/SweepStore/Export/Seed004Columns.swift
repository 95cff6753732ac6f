extension ExportColumns {
    /// The Shakespeare grid's original results file (`model_results_spear.csv`), column for column,
    /// so old and new numbers sit side by side. Each shows a results.csv column under its old name;
    /// the meaning says which.
    public static let seed004: [ResultColumn] = [
        renamed("trial", as: "Model"),
        renamed("cell", as: "RNN Type", note: " in upper case (`LSTM`, `GRU`, `RNN`)") { .text($0.text.uppercased()) },
        renamed("sequence_length", as: "Sequence Length"),
        renamed("train_loss", as: "Training Loss"),
        renamed("val_loss", as: "Validation Loss"),
        renamed("val_accuracy", as: "Validation Accuracy"),
        renamed("training_seconds", as: "Training time"),
        renamed("inference_seconds_per_1000_chars", as: "Inference Time",
                note: " (the original timed generating its 1,000-character sample)"),
        renamed("hidden_size", as: "Hidden Size"),
        renamed("fc_layers", as: "Fully Connected Layers"),
        renamed("parameters", as: "Parameters"),
        renamed("size_mb", as: "Size (MB)"),
        renamed("sample", as: "Predicted next character"),
    ]

    private static func renamed(_ source: String, as name: String, note: String = "",
                                _ transform: @escaping @Sendable (CellValue) -> CellValue = { $0 }) -> ResultColumn {
        guard let column = results.first(where: { $0.name == source }) else {
            preconditionFailure("seed004 column \(name) names no results column \(source)")
        }
        return ResultColumn(name, column.unit, "`\(source)`" + note) { transform(column.value($0)) }
    }
}
