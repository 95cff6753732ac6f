import Foundation
import SweepProtocol
import SweepTestSupport
import SweepWorker
import Testing

/// A worker whose coordinator stays silent gives up on the connection after the silence limit and
/// reconnects (under a new identity) after a backoff that doubles, 1 s then 2 s, with up to half of
/// each delay taken off at random — all on the fake clock.
@Suite struct ReconnectBackoffProtocolTests {
    @Test func reconnectsFollowTheBackoffOnTheFakeClock() async throws {
        let fixture = try SweepFixture()
        let rig = try await InMemoryRig(fixture: fixture)
        let silenceLimit = 5.0
        let worker = try rig.addWorker("w", trainer: InstantTrainer()) { $0.coordinatorSilenceLimit = silenceLimit }
        let connector = try #require(rig.connectors["w"])
        // Only the worker turns: the coordinator never answers.
        func turnWorker() { _ = worker.step(waitingUpTo: 0) }
        func connections() -> [String] { connector.connectedIdentities.map { String(decoding: $0, as: UTF8.self) } }

        turnWorker()
        #expect(connections() == ["w-1"])
        var delay = 1.0
        for generation in 2...4 {
            rig.clock.advance(by: silenceLimit)
            turnWorker()   // silent too long: the connection is dropped, the backoff starts
            // Within the guaranteed part of the delay (jitter 0.5 takes at most half off) it waits.
            rig.clock.advance(by: delay / 2 - 0.01)
            turnWorker()
            #expect(connections().count == generation - 1, "reconnected before the backoff allowed it")
            rig.clock.advance(by: delay / 2 + 0.01)
            turnWorker()
            #expect(connections().last == "w-\(generation)")
            delay *= 2
        }
        // Each connection greeted the coordinator with HELLO.
        let router = rig.network.router()
        var hellos: [String] = []
        while let routed = router.receive() {
            if case .hello? = try? Codec().decode(routedFrames: routed).message { hellos.append(String(decoding: routed[0], as: UTF8.self)) }
        }
        #expect(hellos == ["w-1", "w-2", "w-3", "w-4"])
    }
}
