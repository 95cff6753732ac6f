import Foundation
import SweepProtocol
import SweepStore
import SweepTestSupport
import SweepWorker
import Testing

/// BATCH_PROGRESS reaches sweep.db (for `coordinator status`) only from the lease holder: a peer
/// quoting a wrong lease, or the right lease from another identity, is told STOP and changes nothing.
@Suite struct BatchProgressLeaseTests {
    @Test func theHoldersProgressIsStoredAndOthersAreDroppedWithStop() async throws {
        let fixture = try SweepFixture(grid: #"{"hidden_size": [8]}"#)
        let rig = try await InMemoryRig(fixture: fixture)
        let trainer = BatchTickTrainer()
        defer { trainer.release() }
        try rig.addWorker("a", trainer: trainer)
        #expect(try rig.turn(until: { try rig.trials().first?.status == .running }))
        let trial = try #require(try rig.trials().first)
        let lease = try #require(try rig.setup.store.attempts(trialID: trial.trialID).last?.leaseID)

        // The holder's progress arrives (at most twice a second) and is written within a second.
        for _ in 0..<500 where try rig.setup.store.runningProgress().isEmpty {
            rig.clock.advance(by: 0.6)
            try rig.turn(wait: 0.002)
        }
        let stored = try #require(try rig.setup.store.runningProgress().first)
        #expect(stored.trialID == trial.trialID && stored.attempt == 1 && stored.workerID == trial.workerID)
        #expect(stored.epoch == 1 && stored.batch > 0 && stored.batches == BatchTickTrainer.batches)
        #expect(stored.tokens == 64 * stored.batch && abs(stored.tokensPerSecond - 6_400) < 1e-6)
        // The worker's sign of life is recorded too.
        let seen = try #require(try rig.setup.store.allWorkers().first { $0.workerID == trial.workerID }?.lastSeen)

        // Another peer greets the coordinator, then reports progress for the trial: with a wrong
        // lease, and with the holder's lease from its own identity.
        let codec = Codec()
        let intruder = rig.network.connect(identity: Array("intruder-1".utf8))
        try intruder.send(codec.encode(.hello(Hello(workerId: "intruder", host: "elsewhere", cores: 1, build: "test"))))
        try rig.turn()
        let forged = [BatchProgress(trialId: trial.trialID, attempt: 1, leaseId: "ffffffffffffffffffffffffffffffff", epoch: 1,
                                    batch: 7, batches: 7, tokens: 7, tokensPerSecond: 7),
                      BatchProgress(trialId: trial.trialID, attempt: 1, leaseId: lease, epoch: 1,
                                    batch: 7, batches: 7, tokens: 7, tokensPerSecond: 7)]
        for p in forged { try intruder.send(codec.encode(.batchProgress(p))) }
        var stops: [Stop] = []
        for _ in 0..<500 where stops.count < 2 {
            rig.clock.advance(by: 0.6)
            try rig.turn(wait: 0.002)
            while let frames = intruder.receive() {
                if case .stop(let stop)? = try? codec.decode(frames: frames) { stops.append(stop) }
            }
        }
        // Two more seconds of holder progress are written meanwhile, the forged ones never.
        for _ in 0..<4 {
            rig.clock.advance(by: 0.6)
            try rig.turn(wait: 0.002)
        }
        #expect(stops.count == 2)
        #expect(stops.allSatisfy { $0.code == .notLeaseHolder && $0.trialId == trial.trialID && $0.attempt == 1 })
        let after = try #require(try rig.setup.store.runningProgress().first)
        #expect(after.workerID == trial.workerID && after.batches == BatchTickTrainer.batches && after.batch >= stored.batch)
        #expect(try rig.setup.store.runningProgress().count == 1)
        let seenAfter = try #require(try rig.setup.store.allWorkers().first { $0.workerID == trial.workerID }?.lastSeen)
        #expect(seenAfter >= seen)

        // Once the trial is finished its progress row no longer counts as running.
        trainer.release()
        #expect(try rig.turn(until: { rig.coordinatorEnded }))
        #expect(try rig.setup.store.runningProgress().isEmpty)
    }
}
