import Foundation

/// Test-local sweep files: tiny models whose epochs take a fraction of a second.
enum SweepFiles {
    /// `epochs` epochs of at most `batches` batches each on the Time Machine text.
    static func write(name: String, in folder: URL, grid: String, epochs: Int = 4, batches: Int = 20,
                      learningRate: Double? = 0.01, hidden: Int? = 32, sequence: Int = 16,
                      batchSize: Int = 8, maxAttempts: Int = 3) throws -> URL {
        let lr = learningRate.map { #""learning_rate": \#($0),"# } ?? ""
        let model = hidden.map { #""hidden_size": \#($0),"# } ?? ""
        let text = """
        {
          "name": "\(name)",
          "dataset": "timemachine",
          "split": { "kind": "tail", "fraction": 0.1 },
          "training": { "objective": "every-step", "sequence_length": \(sequence), "batch_size": \(batchSize), "epochs": \(epochs),
                        \(lr) "optimizer": "adam", "clip_norm": 5, "seed": 3, "checkpoint_every": 1,
                        "max_attempts": \(maxAttempts), "max_batches_per_epoch": \(batches) },
          "model": { \(model) "cell": "gru", "layers": 1, "fc_layers": 1 },
          "generate": { "length": 20, "prompts": ["The "], "mode": "stateful" },
          "grid": \(grid),
          "schedule": "file-order"
        }
        """
        let url = folder.appendingPathComponent("\(name).json")
        try Data(text.utf8).write(to: url)
        return url
    }
}
