import Foundation
import SweepProtocol
import SweepStore
import SweepTestSupport
import SweepWorker
import Testing

/// Prefetch (SPEC.md §3.5) between the real coordinator and worker services: once the sweep's pace
/// is known, a worker is leased its next trial while it trains, holds it, and starts it the moment
/// the running trial ends, without a READY in between; nothing is refused, requeued or charged.
@Suite struct PrefetchProtocolTests {
    @Test func aWorkerHoldsItsNextTrialWhileItTrainsAndStartsItWithoutAsking() async throws {
        // Trial #1 shows the pace (two epochs of 0.01 s); trial #2 trains until released.
        let (fixture, rig, trainer) = try await Self.workerWithSecondTrialHeld(hiddenSizes: "8, 16, 32, 64, 128", prefetch: 2)
        defer { trainer.release() }

        // While #2 trains, #3 and #4 are leased to the same worker (it offers two) and held there.
        #expect(try rig.turn(until: { try rig.trials().filter { $0.status == .running }.count == 3 }))
        let running = try rig.trials().filter { $0.status == .running }
        #expect(running.map(\.number) == [2, 3, 4])
        #expect(Set(running.map(\.workerID)).count == 1)
        // Holding is not refusing: no FAILED "worker was busy" came back.
        #expect(try running.allSatisfy { try rig.setup.store.attempts(trialID: $0.trialID).map(\.outcome) == [nil] })
        // No third: #5 waits in the queue.
        try rig.turn(until: { false }, turns: 100)
        #expect(try rig.trials().filter { $0.status == .running }.count == 3)

        trainer.release()
        #expect(try rig.turn(until: { rig.coordinatorEnded }))
        let trials = try rig.trials()
        #expect(trials.count == 5 && trials.allSatisfy { $0.status == .done && $0.attempts == 1 })
        #expect(try rig.events("requeue").isEmpty)
        #expect(try rig.events("dropped").isEmpty)
        // #3 and #4 were assigned before #2's result was recorded, and ran after it, in order.
        let assigned = try running.map { trial in try #require(try rig.events("assign").first { $0.trialID == trial.trialID }) }
        let results = try running.map { trial in try #require(try rig.events("result").first { $0.trialID == trial.trialID }) }
        #expect(assigned[2].id < results[0].id && results[0].id < results[1].id && results[1].id < results[2].id)
        // Every RESULT was acknowledged.
        #expect(rig.coordinator.stop())
        #expect(try rig.turn(until: { rig.exit(of: "w") != nil }))
        #expect(fixture.outboxEntries("w").isEmpty)
    }

    @Test func aWorkerWithoutPrefetchIsAssignedOnlyWhenIdle() async throws {
        let (_, rig, trainer) = try await Self.workerWithSecondTrialHeld(hiddenSizes: "8, 16, 32", prefetch: 0)
        defer { trainer.release() }
        #expect(try rig.turn(until: { try rig.trials().contains { $0.number == 2 && $0.status == .running } }))
        // Many turns later #3 still waits in the queue.
        try rig.turn(until: { false }, turns: 200)
        #expect(try rig.trials().filter { $0.status == .running }.map(\.number) == [2])
        trainer.release()
        #expect(try rig.turn(until: { rig.coordinatorEnded }))
        #expect(try rig.trials().allSatisfy { $0.status == .done && $0.attempts == 1 })
    }

    /// One worker "w" offering `prefetch`, on a sweep over `hiddenSizes`, whose trainer holds trial
    /// #2 until released (release it when the test ends).
    static func workerWithSecondTrialHeld(hiddenSizes: String, prefetch: Int) async throws
        -> (SweepFixture, InMemoryRig, InstantTrainer) {
        let fixture = try SweepFixture(grid: #"{"hidden_size": ["# + hiddenSizes + "]}")
        let rig = try await InMemoryRig(fixture: fixture)
        let trainer = InstantTrainer(held: { $0.trialNumber == 2 })
        try rig.addWorker("w", trainer: trainer) { $0.prefetch = prefetch }
        return (fixture, rig, trainer)
    }
}
