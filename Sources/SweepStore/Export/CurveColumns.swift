/// One epoch of one trial: a row of curves.csv.
public struct CurveLine {
    public let trialNumber: Int
    public let metrics: EpochRow
}

extension ExportColumns {
    /// curves.csv's columns, in file order.
    public static let curves: [CurveColumn] = [
        CurveColumn("trial", "integer", "Trial number, as in results.csv.") { .integer($0.trialNumber) },
        CurveColumn("trial_id", "text", "Trial id, as in results.csv.") { CellValue(text: $0.metrics.trialID) },
        CurveColumn("epoch", "epoch number (1-based)", "The epoch these metrics were measured after.") {
            .integer($0.metrics.epoch)
        },
        CurveColumn("train_loss", "nats per character", "Mean training cross-entropy over the epoch.") {
            CellValue($0.metrics.trainLoss)
        },
        CurveColumn("train_accuracy", "fraction 0–1", "Training next-character accuracy over the epoch's batches (empty in runs recorded before this column existed).") {
            CellValue($0.metrics.trainAccuracy)
        },
        CurveColumn("val_loss", "nats per character", "Mean validation cross-entropy after the epoch.") {
            CellValue($0.metrics.valLoss)
        },
        CurveColumn("val_accuracy", "fraction 0–1", "Validation next-character accuracy after the epoch.") {
            CellValue($0.metrics.valAccuracy)
        },
        CurveColumn("val_perplexity", "—", "exp(`val_loss`).") { CellValue($0.metrics.valPerplexity) },
        CurveColumn("seconds", "seconds", "Wall-clock time of the epoch (training and validation).") {
            CellValue($0.metrics.seconds)
        },
    ]
}
