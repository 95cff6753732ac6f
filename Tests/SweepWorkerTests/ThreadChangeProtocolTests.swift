import Foundation
import Logging
import SweepProtocol
import SweepTestSupport
import SweepWorker
import Testing

/// The real CharRNN trainer behind events that hold it after one batch, so a test can deliver
/// THREADS while the trainer is known to be between two batches.
private final class GatedTrainer: TrialTrainer, @unchecked Sendable {
    let inner = CharRNNTrialTrainer()
    let holdAfterBatch: Int
    let gate = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var log: [String] = []
    var entries: [String] { lock.lock(); defer { lock.unlock() }; return log }
    func note(_ entry: String) { lock.lock(); log.append(entry); lock.unlock() }

    init(holdAfterBatch: Int) { self.holdAfterBatch = holdAfterBatch }

    func run(_ job: TrialJob, events: TrialEvents) -> TrialEnd {
        inner.run(job, events: Events(inner: events, owner: self))
    }

    private final class Events: TrialEvents, @unchecked Sendable {
        let inner: TrialEvents
        let owner: GatedTrainer
        init(inner: TrialEvents, owner: GatedTrainer) { self.inner = inner; self.owner = owner }
        func epochEnded(_ metrics: EpochMetrics) { inner.epochEnded(metrics) }
        func batchEnded(_ progress: EpochProgress) {
            inner.batchEnded(progress)
            owner.note("batch \(progress.epoch).\(progress.batch)")
            if progress.epoch == 1, progress.batch == owner.holdAfterBatch { owner.gate.wait() }
            // Slow enough that the throttled BATCH_PROGRESS sees batches after the change.
            usleep(2_000)
        }
        func checkpointEncoded(_ bytes: [UInt8], epoch: Int) { inner.checkpointEncoded(bytes, epoch: epoch) }
        func resumed(bestValLoss: Double?) { inner.resumed(bestValLoss: bestValLoss) }
        var isCancelled: Bool { inner.isCancelled }
        func threadChange() -> ThreadRequest? { inner.threadChange() }
        func threadsApplied(_ threads: Int) {
            owner.note("threads \(threads)")
            inner.threadsApplied(threads)
        }
    }
}

/// A worker applies THREADS at the next batch boundary of the running epoch (never inside a
/// step), reports the count in BATCH_PROGRESS and PROGRESS, and trains the same bits as without it.
@Suite struct ThreadChangeProtocolTests {
    struct Outcome {
        var batchReports: [BatchProgress] = []
        var epochReports: [ProgressReport] = []
        var result: TrialResult?
        var log: [String] = []
    }

    /// Serves one trial to a worker over the in-memory network; with `change`, sends THREADS once
    /// the trainer is held after batch 3 of epoch 1, then lets it go on.
    func serve(_ fixture: SweepFixture, change: Bool, name: String) async throws -> Outcome {
        let trial = try await fixture.firstTrial()
        let network = InMemoryNetwork()
        let coordinator = ScriptedCoordinator(network: network, fixture: fixture, trial: trial)
        let clock = FakeClock()
        let trainer = GatedTrainer(holdAfterBatch: 3)
        let worker = try WorkerService(options: fixture.workerOptions(name), trainer: trainer, logger: .init(label: name),
                                       connector: InMemoryDealerConnector(network: network), clock: clock)
        let lease = coordinator.lease
        var outcome = Outcome()
        var released = false
        for _ in 0..<20_000 where outcome.result == nil {
            clock.advance(by: 0.05)
            _ = worker.step(waitingUpTo: 0)
            usleep(1_000)
            try coordinator.receive { message in
                switch message {
                case .batchProgress(let p):
                    outcome.batchReports.append(p)
                    if p.epoch == 1, p.batch == 3, !released {
                        if change {
                            try coordinator.reply(.threads(ThreadChange(trialId: trial.id, attempt: 1, leaseId: lease, threads: 2, cpus: [])))
                            // A THREADS for another lease is not this trial's: ignored.
                            try coordinator.reply(.threads(ThreadChange(trialId: trial.id, attempt: 1,
                                                                        leaseId: "ffffffffffffffffffffffffffffffff", threads: 3, cpus: [])))
                            for _ in 0..<5 { _ = worker.step(waitingUpTo: 0) }
                        }
                        released = true
                        trainer.gate.signal()
                    }
                case .progress(let p): outcome.epochReports.append(p)
                case .result(let r):
                    outcome.result = r
                    try coordinator.reply(.resultAck(ResultAck(trialId: r.trialId, attempt: r.attempt, leaseId: r.leaseId)))
                default: break
                }
            }
            try coordinator.heartbeat()
        }
        if !released { trainer.gate.signal() }
        outcome.log = trainer.entries
        return outcome
    }

    @Test func threadsChangeAtTheNextBatchBoundaryIsReportedAndKeepsTheBits() async throws {
        let fixture = try SweepFixture(grid: #"{"hidden_size": [8]}"#, epochs: 2)
        let changed = try await serve(fixture, change: true, name: "grown")
        let plain = try await serve(fixture, change: false, name: "plain")
        let result = try #require(changed.result)
        let reference = try #require(plain.result)

        // Applied between batch 3 and batch 4 of epoch 1: the first batch after the request.
        let applied = try #require(changed.log.firstIndex(of: "threads 2"), "log: \(changed.log.prefix(12))")
        #expect(changed.log[applied - 1] == "batch 1.3")
        #expect(changed.log[applied + 1] == "batch 1.4")
        #expect(!changed.log.contains("threads 3"))
        #expect(changed.log.first == "threads 1")
        // Reported: 1 thread up to batch 3, 2 threads after; the epochs say 2.
        let reported = changed.batchReports.filter { $0.threads != nil }
        #expect(!reported.isEmpty && reported.count == changed.batchReports.count)
        #expect(changed.batchReports.filter { $0.epoch == 1 && $0.batch <= 3 }.allSatisfy { $0.threads == 1 })
        #expect(changed.batchReports.contains { $0.threads == 2 })
        #expect(changed.batchReports.filter { $0.epoch > 1 || $0.batch > 3 }.allSatisfy { $0.threads == 2 })
        #expect(changed.epochReports.map(\.threads) == [2, 2])
        #expect(plain.epochReports.map(\.threads) == [1, 1])
        // The same bits as the one-thread run.
        #expect(result.result.history.map(\.trainLoss.bitPattern) == reference.result.history.map(\.trainLoss.bitPattern))
        #expect(result.result.history.map(\.valLoss.bitPattern) == reference.result.history.map(\.valLoss.bitPattern))
        #expect(result.result.samples == reference.result.samples)
    }
}
