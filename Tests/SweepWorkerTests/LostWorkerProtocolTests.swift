import Foundation
import SweepStore
import SweepTestSupport
import SweepWorker
import Testing

/// A worker that goes silent holding a trial is declared lost, and its trial requeued, at the
/// tick where its silence reaches the grace (`lostAfter`) on the fake clock, not one tick earlier.
@Suite struct LostWorkerProtocolTests {
    @Test func aSilentWorkerIsLostAndItsTrialRequeuedWhenTheGraceRunsOut() async throws {
        let lostAfter = 30.0
        let fixture = try SweepFixture(grid: #"{"hidden_size": [8]}"#, lostAfter: lostAfter)
        let rig = try await InMemoryRig(fixture: fixture)
        let trainer = InstantTrainer(held: { _ in true })
        defer { trainer.release() }
        try rig.addWorker("a", trainer: trainer)
        #expect(try rig.turn(until: { try rig.trials().first?.status == .running }))
        // The worker's last word came at this instant; from now on it says nothing (a frozen host).
        let lastHeard = rig.clock.now()
        rig.frozen.insert("a")

        // The coordinator checks liveness once per heartbeat interval (1 s): step through the grace.
        for second in 1..<Int(lostAfter) {
            rig.clock.set(to: lastHeard + Double(second))
            try rig.turn()
            #expect(try rig.trials().first?.status == .running, "requeued after only \(second) s of silence")
        }
        #expect(try rig.events("requeue").isEmpty)
        rig.clock.set(to: lastHeard + lostAfter)
        try rig.turn()
        let trial = try #require(try rig.trials().first)
        #expect(trial.status == .queued)
        #expect(try rig.events("requeue").count == 1)
        #expect(try rig.events("worker").contains { $0.message.contains("lost") })

        // Another worker takes the trial over as attempt 2 and finishes it.
        try rig.addWorker("b", trainer: InstantTrainer())
        #expect(try rig.turn(until: { rig.coordinatorEnded }))
        let done = try #require(try rig.trials().first)
        #expect(done.status == .done && done.attempts == 2)
    }
}
