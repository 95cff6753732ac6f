import Foundation
import SweepTestSupport
import SweepCoordinator
import SweepProtocol
import SweepStore
import Testing
import ZeroMQ

/// SPEC.md §10 through the running coordinator with CURVE on: a worker_id, its socket identities
/// and its leases belong to the key that first said HELLO with them.
@Suite(.serialized) struct KeyBindingTests {
    @Test func anAllowListedKeyCannotSpeakForAnotherKeysWorker() async throws {
        // A's lease must outlast the whole test, which takes a minute on a loaded machine (A is
        // silent once it goes away below).
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8, 16]}"#, lostAfter: 600)
        let server = try CurveKeyFiles.generate()
        let keyA = try CurveKeyFiles.generate()
        let keyB = try CurveKeyFiles.generate()
        let serverFile = harness.root.appendingPathComponent("coordinator.key")
        let allowFile = harness.root.appendingPathComponent("allowed")
        try CurveKeyFiles.write(server, to: serverFile)
        try Data("\(keyA.publicKey)\n\(keyB.publicKey)\n".utf8).write(to: allowFile)
        harness.options.curveSecretKeyFile = serverFile
        harness.options.allowedWorkerKeysFile = allowFile
        let (_, endpoint, finished, shutdown) = try await harness.startCoordinator()
        defer { shutdown.request(); _ = finished.wait(seconds: 10) }
        let store = try SweepStore(path: harness.folder.database.path)
        func peer(_ identity: String, _ keys: CurveKeyPair) throws -> RawPeer {
            try RawPeer(endpoint, identity: identity, curve: (server.publicKey, keys))
        }
        func isRefused(_ message: Message) -> Bool { if case .refused = message { true } else { false } }
        func isWelcome(_ message: Message) -> Bool { if case .welcome = message { true } else { false } }

        var a: RawPeer? = try peer("w-A-1", keyA)
        #expect(try a?.greet(name: "w-A") == true)
        let assign = try #require(try a?.takeTrial())
        let claim = RunningTrial(trialId: assign.trialId, attempt: assign.attempt, leaseId: assign.leaseId, epoch: 0)
        let trialBefore = try #require(try store.trial(id: assign.trialId))
        let attemptsBefore = try store.attempts(trialID: assign.trialId)
        let workersBefore = try store.allWorkers().map(\.workerID)
        #expect(trialBefore.workerID == "w-A-1" && attemptsBefore.count == 1)

        // Key B claims A's worker_id and its running trial, with the right lease id even.
        let impostor = try peer("w-A-2", keyB)
        try impostor.send(.hello(Hello(workerId: "w-A", host: "raw", cores: 1, build: "raw", running: claim)))
        guard case .refused(let refusal)? = impostor.waitFor(seconds: 10, isRefused) else {
            Issue.record("a HELLO for another key's worker_id was not refused")
            return
        }
        #expect(refusal.reason.contains("belongs to another key"))
        #expect(!impostor.received.contains(where: isWelcome))
        // Under a worker_id of its own it still may not claim A's lease.
        let claimant = try peer("w-B-1", keyB)
        try claimant.send(.hello(Hello(workerId: "w-B", host: "raw", cores: 1, build: "raw", running: claim)))
        #expect(claimant.waitFor(seconds: 10, isRefused) != nil)
        #expect(!claimant.received.contains(where: isWelcome))
        // Greeted as itself, B is just another worker: A's lease is not its to write under.
        let honest = try peer("w-B-2", keyB)
        #expect(try honest.greet(name: "w-B"))
        try honest.send(assign.progress(epoch: 1))
        #expect(honest.waitForStop(assign.trialId) == .notLeaseHolder)

        // The trial stays with A; the store has not changed but for B's row. Writes no message waits
        // for commit within a tenth of a second of being queued: by then whatever the refused
        // messages wrote would be there.
        #expect(try eventually(seconds: 10) { Set(try store.allWorkers().map(\.workerID)) == Set(workersBefore + ["w-B-2"]) })
        try await Task.sleep(for: .seconds(0.5))
        let trialAfter = try #require(try store.trial(id: assign.trialId))
        #expect(trialAfter.workerID == "w-A-1" && trialAfter.status == .running && trialAfter.attempts == trialBefore.attempts)
        #expect(try store.attempts(trialID: assign.trialId) == attemptsBefore)
        #expect(try store.epochs(trialID: assign.trialId).isEmpty)
        // A still holds its lease.
        try #require(a).send(assign.progress(epoch: 1))
        #expect(try eventually(seconds: 10) { try store.epochs(trialID: assign.trialId).map(\.epoch) == [1] })

        // A goes away; B takes over A's socket identity and writes under A's lease without a HELLO.
        a = nil
        try await Task.sleep(for: .seconds(1))
        let takeover = try peer("w-A-1", keyB)
        try takeover.send(assign.progress(epoch: 2))
        try takeover.send(assign.result(epochs: 3))
        // Handled in order: once its HELLO is refused, the reports before it were handled too.
        try takeover.send(.hello(Hello(workerId: "w-B", host: "raw", cores: 1, build: "raw")))
        #expect(takeover.waitFor(seconds: 10, heartbeat: false, isRefused) != nil)
        #expect(!takeover.gotAck(assign.trialId))
        #expect(try store.epochs(trialID: assign.trialId).map(\.epoch) == [1])
        #expect(try store.result(trialID: assign.trialId) == nil)
        #expect(try store.trial(id: assign.trialId)?.workerID == "w-A-1")
        // Each refused peer is logged once, then only counted. The last refusal's event commits at
        // the end of the loop turn that sent REFUSED, so it may land just after the reply.
        func refusals() throws -> [String] { try store.tailEvents(limit: 200).filter { $0.kind == "refused" }.map(\.message) }
        #expect(try eventually(seconds: 5) { try refusals().count >= 3 })
        let refused = try refusals()
        #expect(refused.count == 3, "\(refused)")
        #expect(refused.contains { $0.contains("w-A-1 with key \(keyB.publicKey)") })

        // A itself reconnects under a new identity, re-adopts its lease and delivers.
        let back = try peer("w-A-3", keyA)
        #expect(try back.greet(name: "w-A", running: claim))
        try back.send(assign.result(epochs: 3))
        #expect(back.waitForAck(assign.trialId, attempt: assign.attempt))
        #expect(try store.result(trialID: assign.trialId)?.status == .done)
    }
}
