/// A trial joined with its result (if any): what a row of results.csv or the seed004 file is made of.
public struct ResultLine {
    public let trial: TrialRecord
    public let result: TrialResult?
    let config: ConfigColumns
    /// Grid values by key (the first, should a key repeat).
    let grid: [String: String]

    init(trial: TrialRecord, result: TrialResult?) {
        self.trial = trial
        self.result = result
        config = ConfigColumns.parsed(trial.configJSON)
        grid = Dictionary(trial.grid.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// A config value's cell text, else the grid's: a config that cannot be read still shows what the grid set.
    func configText(_ key: String) -> String {
        let text = config.text(key)
        return text.isEmpty ? grid[key] ?? "" : text
    }
}

extension ExportColumns {
    public static let trial = ResultColumn(
        "trial", "integer", "Trial number: position in the grid expansion (first grid key outermost), from 1."
    ) { .integer($0.trial.number) }
    public static let trialID = ResultColumn(
        "trial_id", "text", "Short hash of the trial's canonical config; stable across runs and machines."
    ) { CellValue(text: $0.trial.trialID) }

    /// Where the grid keys' columns (one per key, in the sweep file's order) go in `results`.
    public static let resultsGridIndex = 2

    /// results.csv's fixed columns, in file order.
    public static let results: [ResultColumn] = [trial, trialID] + resultConfigColumns + resultMetricColumns

    /// Read from the trial's config (sections included), else from its grid values.
    static let resultConfigColumns: [ResultColumn] = [
        config("cell", "—", "Recurrent cell: `rnn` (tanh), `lstm` or `gru`."),
        config("layers", "count", "Stacked recurrent layers."),
        config("sequence_length", "characters",
               "Window length L (last-step) or truncated-BPTT chunk length (every-step)."),
        config("hidden_size", "units", "Hidden state width H of every recurrent layer."),
        config("fc_layers", "count", "Linear layers in the head (1 = a single Linear to the vocabulary)."),
        config("objective", "—", """
            `last-step` (predict the character after each window), `every-step` (loss at every position, \
            state carried across chunks) or `window-every-step` (loss at every position of independent windows).
            """),
        config("split", "—", """
            How validation text was chosen: `tail` (last fraction of the text), `random` (seeded random windows), \
            `none` (validation = training data) or `windows` (the windows after the first `train_windows`).
            """),
    ]

    static let resultMetricColumns: [ResultColumn] = [
        ResultColumn("epochs_run", "count", "Epochs completed (fewer than planned if the trial diverged).") {
            CellValue($0.result?.epochsRun)
        },
        ResultColumn("best_epoch", "epoch number (1-based)", "Epoch with the lowest validation loss.") {
            CellValue($0.result?.bestEpoch)
        },
        ResultColumn("train_loss", "nats per character",
                     "Mean softmax cross-entropy on the training data in the last epoch.") { CellValue($0.result?.trainLoss) },
        ResultColumn("val_loss", "nats per character",
                     "Mean cross-entropy on the validation data after the last epoch.") { CellValue($0.result?.valLoss) },
        ResultColumn("val_accuracy", "fraction 0–1",
                     "Share of validation predictions whose most likely character is the right one.") {
            CellValue($0.result?.valAccuracy)
        },
        ResultColumn("val_perplexity", "—", "exp(`val_loss`).") { CellValue($0.result?.valPerplexity) },
        ResultColumn("overfit_pct", "percent",
                     "100 · (`val_loss` − `train_loss`) / `train_loss`; negative when validation loss is lower.") {
            CellValue($0.result?.overfitPct)
        },
        ResultColumn("training_seconds", "seconds", """
            Wall-clock training time of the trial (all epochs, including validation), as the worker reports it.
            """) { CellValue($0.result?.trainingSeconds) },
        ResultColumn("inference_seconds_per_1000_chars", "seconds",
                     "Time to generate 1,000 characters from the trained model.") {
            CellValue($0.result?.inferenceSecondsPer1000)
        },
        // An unfinished trial shows the count the coordinator computed when it expanded the grid.
        ResultColumn("parameters", "count", "Trainable parameters (equals PyTorch's count for the same model).") {
            CellValue($0.result?.parameters ?? $0.trial.parameters)
        },
        ResultColumn("size_mb", "MiB", "Parameters · 4 bytes / 2²⁰ (float32 weights).") { CellValue($0.result?.sizeMB) },
        ResultColumn("macs_per_char", "multiply-accumulates",
                     "Forward-pass MACs per character, counted analytically as ptflops/calflops do.") {
            CellValue($0.result?.macsPerChar)
        },
        ResultColumn("tokens_per_second", "characters per second", """
            Training throughput: training characters (target positions) processed per second, as the worker reports it.
            """) { CellValue($0.result?.tokensPerSecond) },
        ResultColumn("worker_host", "text", "Host name of the worker that produced the recorded result.") {
            CellValue(text: $0.result?.workerHost)
        },
        ResultColumn("attempts", "count",
                     "Attempts started for this trial (a retry after an infrastructure failure adds one).") {
            .integer($0.trial.attempts)
        },
        ResultColumn("status", "—", """
            `queued`, `running`, `done`, `diverged` (loss became NaN/inf), `config_error` (the trial's config \
            cannot be built), `failed` (infrastructure failures used up `max_attempts`), `stopped` (early \
            stopping or the budget stopped it; its metrics are those of the epoch it stopped at).
            """) { .text($0.trial.status.rawValue) },
        ResultColumn("stopped_epoch", "epoch", """
            For a `stopped` trial, the epoch it stopped at (its last trained epoch, 0 if it never ran); empty otherwise.
            """) { $0.trial.status == .stopped ? CellValue($0.result?.epochsRun) : CellValue(text: nil) },
        ResultColumn("sample", "text",
                     "Generated text: the prompt followed by the model's continuation (may span lines).") {
            CellValue(text: $0.result?.sample)
        },
    ]

    private static func config(_ key: String, _ unit: String, _ meaning: String) -> ResultColumn {
        ResultColumn(key, unit, meaning) { CellValue(text: $0.configText(key)) }
    }
}
