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
        let router = network.router()
        let clock = FakeClock()
        let codec = Codec()
        let trainer = BatchTickTrainer()
        defer { trainer.release() }
        let worker = try WorkerService(options: fixture.workerOptions("w"), trainer: trainer, logger: .init(label: "w"),
                                       connector: InMemoryDealerConnector(network: network), clock: clock)
        var identity: [UInt8] = []
        func reply(_ message: Message) throws { try router.send(codec.encode(message, to: identity)) }
        var sent: [(time: Double, progress: BatchProgress)] = []
        let lease = "0123456789abcdef0123456789abcdef"
        var assigned = false
        let start = clock.now()
        for _ in 0..<400 {
            clock.advance(by: 0.05)
            _ = worker.step(waitingUpTo: 0)
            // Real time for the trainer thread to finish more batches (one a millisecond).
            usleep(3_000)
            while let frames = router.receive() {
                let (from, message) = try codec.decode(routedFrames: frames)
                identity = from
                switch message {
                case .hello: try reply(.welcome(Welcome(coordinatorId: "test")))
                case .ready where !assigned:
                    assigned = true
                    try reply(.assign(Assign(trialId: trial.id, trialNumber: 1, attempt: 1, leaseId: lease, leaseSeconds: 30,
                                             config: trial.config, seed: 1,
                                             dataset: DatasetRef(name: "text", sha256: fixture.datasetSHA256,
                                                                 bytes: fixture.datasetBytes.count)), checkpoint: nil))
                case .datasetRequest: try reply(.dataset(sha256: fixture.datasetSHA256, bytes: fixture.datasetBytes))
                case .batchProgress(let p): sent.append((clock.now(), p))
                default: break
                }
            }
            // The coordinator's side of liveness: without it the worker would reconnect after 5 s.
            if !identity.isEmpty { try reply(.heartbeat) }
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
