import Foundation
import SweepProtocol
import SweepTestSupport
import Testing

/// A coordinator behind on its messages (each one, a checkpoint to store say, takes time) works
/// through the backlog over several turns and heartbeats its workers in between, so no worker sees
/// it silent for as long as the backlog lasts and gives it up.
@Suite struct CoordinatorBacklogProtocolTests {
    @Test func aBacklogIsHandledOverSeveralTurnsWithHeartbeatsBetween() async throws {
        let fixture = try SweepFixture()
        let rig = try await InMemoryRig(fixture: fixture)
        let codec = Codec()
        let peer = rig.network.connect(identity: Array("raw-1".utf8))
        try peer.send(codec.encode(.hello(Hello(workerId: "raw", host: "raw", cores: 1, build: "raw"))))
        try rig.turn()
        var welcomed = false
        while let frames = peer.receive() {
            if case .welcome? = try? codec.decode(frames: frames) { welcomed = true }
        }
        #expect(welcomed)

        let backlog = 300
        for _ in 0..<backlog { try peer.send(codec.encode(.heartbeat)) }
        #expect(rig.network.routerQueueCount == backlog)
        // Every read of the clock costs 10 ms: handling a message reads it at least once.
        rig.clock.advanceOnEveryRead(by: 0.01)
        var turns = 0
        var heartbeatsWhileBehind = 0
        while rig.network.routerQueueCount > 0, turns < 10 * backlog {
            try rig.turn()
            turns += 1
            let behind = rig.network.routerQueueCount > 0
            while let frames = peer.receive() {
                if behind, case .heartbeat? = try? codec.decode(frames: frames) { heartbeatsWhileBehind += 1 }
            }
        }
        #expect(rig.network.routerQueueCount == 0)
        #expect(turns > 1, "one turn took the whole backlog")
        #expect(heartbeatsWhileBehind >= 1, "no heartbeat reached the worker while the coordinator was behind")
    }
}
