import Foundation
import Logging
import SweepProtocol
import SweepTestSupport
import SweepWorker
import Testing

/// The worker sends BATCH_PROGRESS at most once per 0.5 s of its clock and only when the batch
/// moved (SPEC.md §3.2), however fast its trainer finishes batches; here a fake clock moves 50 ms
/// per turn while the trainer reports a new batch every millisecond of real time.
@Suite struct BatchProgressThrottleTests {
    @Test func atMostTwoBatchProgressMessagesPerSecondEachWithANewerBatch() async throws {
        let fixture = try SweepFixture(grid: #"{"hidden_size": [8]}"#)
        let trial = try await fixture.firstTrial()
        let network = InMemoryNetwork()
        let coordinator = ScriptedCoordinator(network: network, fixture: fixture, trial: trial)
        let clock = FakeClock()
        let trainer = BatchTickTrainer()
        defer { trainer.release() }
        let worker = try WorkerService(options: fixture.workerOptions("w"), trainer: trainer, logger: .init(label: "w"),
                                       connector: InMemoryDealerConnector(network: network), clock: clock)
        var sent: [(time: Double, progress: BatchProgress)] = []
        let lease = coordinator.lease
        let start = clock.now()
        for _ in 0..<400 {
            clock.advance(by: 0.05)
            _ = worker.step(waitingUpTo: 0)
            // Real time for the trainer thread to finish more batches (one a millisecond).
            usleep(3_000)
            try coordinator.receive { message in
                if case .batchProgress(let p) = message { sent.append((clock.now(), p)) }
            }
            try coordinator.heartbeat()
        }
        let seconds = clock.now() - start
        #expect(abs(seconds - 20) < 1e-6)
        // It did report (the test would pass vacuously otherwise), but never faster than allowed.
        #expect(sent.count >= 10, "only \(sent.count) BATCH_PROGRESS in \(seconds) s")
        #expect(sent.count <= Int(seconds / 0.5) + 1)
        for (a, b) in zip(sent, sent.dropFirst()) {
            #expect(b.time - a.time >= 0.5 - 1e-9, "two BATCH_PROGRESS \(b.time - a.time) s apart")
            #expect(b.progress.batch > a.progress.batch)
        }
        for window in stride(from: start, to: start + seconds, by: 0.25) {
            #expect(sent.filter { $0.time >= window && $0.time < window + 1 }.count <= 2)
        }
        #expect(sent.allSatisfy { $0.progress.trialId == trial.id && $0.progress.attempt == 1 && $0.progress.leaseId == lease })
        #expect(sent.allSatisfy { $0.progress.epoch == 1 && $0.progress.batches == BatchTickTrainer.batches })
        #expect(sent.allSatisfy { $0.progress.tokens == 64 * $0.progress.batch && abs($0.progress.tokensPerSecond - 6_400) < 1e-6 })
    }
}
