import CharRNN
import Foundation
import SystemSupport
import SweepCore

/// Runs a trial with CharRNN's `TrainingSession`, which takes the trial's config sections as they are.
public struct CharRNNTrialTrainer: TrialTrainer {
    /// Threads for every trial this trainer runs (`worker --threads`); nil: each trial's `threads`.
    public let threads: Int?
    /// Most threads a trial starts with (`worker run --cores`): a trial's own `threads` is clamped
    /// to it. The coordinator may then change the count (THREADS).
    public let maxThreads: Int

    public init(threads: Int? = nil, maxThreads: Int = ThreadPool.maximumSize) {
        self.threads = threads
        self.maxThreads = max(1, min(maxThreads, ThreadPool.maximumSize))
    }

    public func run(_ job: TrialJob, events: TrialEvents) -> TrialEnd {
        let session: TrainingSession
        let text: String
        do {
            text = try String(contentsOf: job.datasetFile, encoding: .utf8)
        } catch {
            return .infra(message: "cannot read dataset \(job.datasetFile.path): \(error)")
        }
        if let resume = job.resumeFrom {
            // An unusable checkpoint says nothing about the config: the coordinator retries the
            // trial from an earlier checkpoint or from scratch.
            do {
                session = try TrainingSession(resumingFrom: resume.path, text: text)
            } catch {
                return .infra(message: "cannot resume from checkpoint \(resume.lastPathComponent): \(error)")
            }
            events.resumed(bestValLoss: session.history.map(\.valLoss).filter(\.isFinite).min())
        } else {
            do {
                let config = job.config
                session = try TrainingSession(
                    text: text, preprocessing: config.dataset.preprocess, unknownToken: config.dataset.unkToken, model: config.model, training: config.training,
                    split: config.split, generation: config.generate, seed: job.seed)
            } catch {
                return .configError(message: "\(error)")
            }
        }
        // A resumed trial trains with its current config's thread count, not the checkpoint's.
        do { try session.useThreads(min(threads ?? job.config.training.threads, maxThreads)) } catch {
            return .configError(message: "\(error)")
        }
        events.threadsApplied(session.threads)
        let observer = Observer(events: events)
        let report: TrainingReport
        do {
            let checkpoints: CheckpointDestination = job.keepsCheckpointFiles
                ? .directory(job.scratch.appendingPathComponent("checkpoints").path) : .observer
            report = try session.run(observer: observer, checkpoints: checkpoints)
        } catch {
            // A checkpoint the worker's full disk cannot take is the worker's problem.
            return .infra(message: "training failed: \(error)", workerFault: StorageFault.isExhausted(error))
        }
        switch report.status {
        case .completed: return .completed(report.metrics)
        case .diverged: return .diverged(message: report.metrics.message ?? "loss is not finite", report.metrics)
        case .cancelled: return .cancelled
        }
    }

    /// Adapts CharRNN's observer to the worker's events.
    private final class Observer: TrainingObserver {
        let events: TrialEvents
        init(events: TrialEvents) { self.events = events }
        func epochEnded(_ metrics: EpochMetrics) { events.epochEnded(metrics) }
        func batchEnded(_ progress: EpochProgress) { events.batchEnded(progress) }
        func checkpointWritten(path: String, epoch: Int) { events.checkpointWritten(path: path, epoch: epoch) }
        func checkpointEncoded(_ bytes: [UInt8], epoch: Int) { events.checkpointEncoded(bytes, epoch: epoch) }
        var isCancelled: Bool { events.isCancelled }
        func threadChange() -> ThreadPlacement? {
            events.threadChange().map { ThreadPlacement(threads: $0.threads, cpus: $0.cpus) }
        }
        func threadsApplied(_ threads: Int) { events.threadsApplied(threads) }
    }
}
