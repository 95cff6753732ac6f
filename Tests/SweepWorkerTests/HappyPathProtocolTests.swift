import Foundation
import SweepProtocol
import SweepStore
import SweepTestSupport
import SweepWorker
import Testing

/// HELLO, WELCOME, READY, ASSIGN, DATASET_REQUEST, DATASET, PROGRESS, RESULT, RESULT_ACK and the
/// closing BYE between real services over the in-memory network, without the clock moving.
@Suite struct HappyPathProtocolTests {
    @Test func oneWorkerRunsEveryTrialAndEveryResultIsAcknowledged() async throws {
        let fixture = try SweepFixture()
        let rig = try await InMemoryRig(fixture: fixture)
        try rig.addWorker("w", trainer: InstantTrainer())
        #expect(try rig.turn(until: { rig.coordinatorEnded }))
        #expect(rig.coordinator.stop())
        // The BYE of a complete sweep ends a worker told to exit on it.
        #expect(try rig.turn(until: { rig.exit(of: "w") != nil }))
        #expect(rig.exit(of: "w") == .done)

        let trials = try rig.trials()
        #expect(trials.count == 2)
        #expect(trials.allSatisfy { $0.status == .done && $0.attempts == 1 })
        #expect(try rig.events("result").count == 2)
        #expect(try rig.events("progress").count == 2 * 2)
        // Every RESULT was acknowledged: nothing is left to resend.
        #expect(fixture.outboxEntries("w").isEmpty)
        // The worker had no copy of the text; it fetched it by hash.
        #expect(try !FileManager.default.contentsOfDirectory(atPath: fixture.stateDirectory("w").appendingPathComponent("datasets").path).isEmpty)
        #expect(rig.network.faultCounts.dropped == 0)
    }
}
