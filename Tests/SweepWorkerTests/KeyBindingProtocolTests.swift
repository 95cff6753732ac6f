import Foundation
import SweepProtocol
import SweepTestSupport
import SweepWorker
import Testing

/// The key a transport reports with each message reaches the coordinator's key bindings: with
/// peers authenticated, a worker_id belongs to the key that first said HELLO with it.
@Suite struct KeyBindingProtocolTests {
    @Test func anotherKeyCannotSpeakForAWorkerAndAnUnauthenticatedHelloIsRefused() async throws {
        let fixture = try SweepFixture()
        let rig = try await InMemoryRig(fixture: fixture, authenticatesPeers: true)
        let trainer = InstantTrainer(held: { _ in true })
        defer { trainer.release() }
        try rig.addWorker("a", trainer: trainer, key: "key-a")
        #expect(try rig.turn(until: { try rig.trials().contains { $0.status == .running } }))

        let codec = Codec()
        func refused(_ dealer: InMemoryDealer) throws -> Refused? {
            try rig.turn()
            while let frames = dealer.receive() {
                if case .refused(let refusal)? = try? codec.decode(frames: frames) { return refusal }
            }
            return nil
        }
        let impostor = rig.network.connect(identity: Array("a-2".utf8), key: "key-b")
        try impostor.send(codec.encode(.hello(Hello(workerId: "a", host: "raw", cores: 1, build: "raw"))))
        #expect(try refused(impostor)?.reason.contains("belongs to another key") == true)
        // Fail closed: with peers authenticated, a connection without a key is refused.
        let anonymous = rig.network.connect(identity: Array("c-1".utf8))
        try anonymous.send(codec.encode(.hello(Hello(workerId: "c", host: "raw", cores: 1, build: "raw"))))
        #expect(try refused(anonymous)?.reason.contains("no authenticated key") == true)
        #expect(rig.coordinator.keyRefusals == 2)
        // The worker that owns its key works on undisturbed.
        trainer.release()
        #expect(try rig.turn(until: { rig.coordinatorEnded }))
        #expect(try rig.trials().allSatisfy { $0.status == .done && $0.attempts == 1 })
    }
}
