import Foundation
import SweepProtocol
import SweepStore
import SweepTestSupport
import SweepWorker
import Testing

/// A RESULT_ACK lost on the way: the worker keeps its result in the outbox and resends it after the
/// resend interval (fake clock); the coordinator acknowledges the duplicate without recording it again.
@Suite struct LostResultAckProtocolTests {
    @Test func theWorkerResendsAndTheCoordinatorRecordsTheResultOnce() async throws {
        let fixture = try SweepFixture()
        let rig = try await InMemoryRig(fixture: fixture)
        rig.network.dropNext(1, toDealers: true) { frames in
            if case .resultAck? = try? Codec().decode(frames: frames) { true } else { false }
        }
        // The second trial waits, so the sweep stays open while the first result is resent.
        let trainer = InstantTrainer(held: { $0.trialNumber == 2 })
        defer { trainer.release() }
        try rig.addWorker("w", trainer: trainer) { $0.outboxResendInterval = 10 }
        let first = try #require(try rig.trials().first { $0.number == 1 })

        #expect(try rig.turn(until: {
            try rig.trials().first { $0.number == 2 }?.status == .running && !fixture.outboxEntries("w").isEmpty
        }))
        #expect(rig.network.faultCounts.dropped == 1)
        #expect(try rig.trials().first { $0.number == 1 }?.status == .done)
        #expect(fixture.outboxEntries("w") == ["\(first.trialID).json"])

        // Not yet due: the outbox waits for the resend interval.
        try rig.advance(by: 9)
        #expect(fixture.outboxEntries("w") == ["\(first.trialID).json"])
        try rig.advance(by: 1)
        #expect(try rig.turn(until: { fixture.outboxEntries("w").isEmpty }))

        let events = try rig.events("result").filter { $0.trialID == first.trialID }
        #expect(events.count == 1)
        #expect(try rig.setup.store.attempts(trialID: first.trialID).count == 1)
        trainer.release()
        #expect(try rig.turn(until: { rig.coordinatorEnded }))
        #expect(try rig.trials().allSatisfy { $0.status == .done && $0.attempts == 1 })
    }
}
