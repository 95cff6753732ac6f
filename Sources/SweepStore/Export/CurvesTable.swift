import GRDB

/// Builds `curves.csv`: one row per trial and epoch, by trial number then epoch.
enum CurvesTable {
    static let header = ["trial", "trial_id", "epoch", "train_loss", "val_loss", "val_accuracy", "val_perplexity", "seconds"]

    static func csv(_ db: Database) throws -> String {
        let rows = try Row.fetchAll(db, sql: """
            SELECT t.number, e.trial_id, e.epoch, e.train_loss, e.val_loss, e.val_accuracy, e.val_perplexity, e.seconds
            FROM epochs e JOIN trials t ON t.trial_id = e.trial_id
            ORDER BY t.number, e.trial_id, e.epoch
            """).map { row -> [String] in
            [
                String(row["number"] as Int), row["trial_id"], String(row["epoch"] as Int),
                CSVNumber.text(row["train_loss"] as Double?), CSVNumber.text(row["val_loss"] as Double?),
                CSVNumber.text(row["val_accuracy"] as Double?), CSVNumber.text(row["val_perplexity"] as Double?),
                CSVNumber.text(row["seconds"] as Double?),
            ]
        }
        return CSVEncoding.document(header: header, rows: rows)
    }
}
