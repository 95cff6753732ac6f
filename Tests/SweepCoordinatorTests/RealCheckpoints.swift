import Foundation
import SweepCore
import SweepProtocol
import SweepWorker

/// Genuine checkpoints of a trial, one per epoch, from one real uninterrupted run of the trainer
/// (the tests' models are tiny: milliseconds). The coordinator inspects every checkpoint it is
/// sent, so stand-in workers hand over these instead of made-up bytes. Cached per trial and seed.
enum RealCheckpoints {
    private static let cache = Cache()

    static func byEpoch(for job: TrialJob) -> [Int: [UInt8]] {
        let key = "\(job.trialID)/\(job.seed)"
        if let cached = cache[key] { return cached }
        var fresh = job
        fresh.resumeFrom = nil
        fresh.keepsCheckpointFiles = false
        let recorder = Recorder()
        _ = CharRNNTrialTrainer().run(fresh, events: recorder)
        cache[key] = recorder.byEpoch
        return recorder.byEpoch
    }

    /// The checkpoint of `epoch` for an assignment, trained on `datasetFile`.
    static func bytes(for assign: Assign, epoch: Int, datasetFile: URL) throws -> [UInt8] {
        let config = try JSONDecoder().decode(TrialConfig.self, from: JSONEncoder().encode(assign.config))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("real-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let job = TrialJob(trialID: assign.trialId, trialNumber: assign.trialNumber, attempt: assign.attempt,
                           seed: assign.seed, config: config, datasetFile: datasetFile, resumeFrom: nil, scratch: scratch)
        guard let bytes = byEpoch(for: job)[epoch] else { throw Missing(epoch: epoch) }
        return bytes
    }

    struct Missing: Error { let epoch: Int }

    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [String: [Int: [UInt8]]] = [:]
        subscript(key: String) -> [Int: [UInt8]]? {
            get { lock.lock(); defer { lock.unlock() }; return values[key] }
            set { lock.lock(); values[key] = newValue; lock.unlock() }
        }
    }

    private final class Recorder: TrialEvents, @unchecked Sendable {
        var byEpoch: [Int: [UInt8]] = [:]
        func epochEnded(_ record: EpochMetrics) {}
        func checkpointEncoded(_ bytes: [UInt8], epoch: Int) { byEpoch[epoch] = bytes }
        var isCancelled: Bool { false }
    }
}
