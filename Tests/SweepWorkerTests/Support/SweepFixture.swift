import Foundation
import SweepCoordinator
import SweepCore
import SweepProtocol
import SweepWorker
import SystemSupport

/// A small sweep in a temporary folder: its text, its sweep file, and coordinator options that
/// serve it; workers keep their state under the same folder.
final class SweepFixture {
    let root: URL
    var options: CoordinatorOptions

    init(grid: String = #"{"hidden_size": [8, 16]}"#, epochs: Int = 2, lostAfter: Double = 30) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let text = String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 40)
        try Data(text.utf8).write(to: root.appendingPathComponent("text.txt"))
        let sweepFile = root.appendingPathComponent("sweep.json")
        try Data("""
        {"name": "svc", "dataset": {"path": "text.txt"}, "split": {"kind": "tail", "fraction": 0.1},
         "training": {"objective": "every-step", "sequence_length": 8, "batch_size": 4, "epochs": \(epochs),
                      "learning_rate": 0.01, "optimizer": "adam", "seed": 1, "checkpoint_every": 1, "max_attempts": 3},
         "model": {"cell": "gru", "layers": 1, "fc_layers": 1},
         "generate": {"length": 10, "prompts": ["the "], "mode": "stateful"},
         "grid": \(grid), "schedule": "file-order"}
        """.utf8).write(to: sweepFile)
        options = CoordinatorOptions(sweepFile: sweepFile, base: root, workers: 0, listen: "tcp://127.0.0.1:*")
        options.policy = SchedulerPolicy(heartbeatInterval: 1, suspectAfterMissedBeats: 3, lostAfter: lostAfter,
                                         quarantineAfterInfraFailures: 3, adoptionWindow: lostAfter)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var folder: RunFolder { RunFolder(sweepName: "svc", base: root) }

    /// The content hash of the sweep's text (what ASSIGN and DATASET_REQUEST name).
    var datasetSHA256: String { SHA256Hex.digest((try? Data(contentsOf: root.appendingPathComponent("text.txt"))) ?? Data()) }
    var datasetBytes: [UInt8] { [UInt8]((try? Data(contentsOf: root.appendingPathComponent("text.txt"))) ?? Data()) }

    /// Options of a worker named `name` whose state lives in this folder (it has no copy of the text).
    func workerOptions(_ name: String, endpoint: String = "inproc://coordinator") -> WorkerOptions {
        var options = WorkerOptions(endpoint: endpoint, workerID: name, host: "test", cores: 1, build: "test",
                                    stateDirectory: stateDirectory(name), datasetCache: stateDirectory(name).appendingPathComponent("datasets"))
        options.exitOnBye = true
        return options
    }

    /// A worker's state folder.
    func stateDirectory(_ name: String) -> URL { root.appendingPathComponent("workers/\(name)") }

    /// The unacknowledged results waiting in a worker's outbox, by file name.
    func outboxEntries(_ name: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: stateDirectory(name).appendingPathComponent("outbox").path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
    }

    /// The first trial's id and its config exactly as the coordinator sends it in ASSIGN.
    func firstTrial() async throws -> (id: String, config: TrialConfig) {
        let setup = try await RunSetup.prepare(options)
        guard let trial = setup.trials.first else { throw CocoaError(.fileReadCorruptFile) }
        return (trial.id, trial.config)
    }
}
