import Foundation
import SweepTestSupport
import SweepCoordinator
import SweepProtocol
import SweepStore
import Testing
import ZeroMQ

/// The coordinator bounds what one peer can cost it: a holder that only heartbeats loses its trial
/// to the progress watchdog, dataset sends are rate-limited, and refusals are recorded once per peer.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct PeerGuardServiceTests {
    @Test func aHolderThatOnlyHeartbeatsIsStoppedAndARealWorkerFinishesItsTrial() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#, epochs: 2, lostAfter: 30)
        harness.options.policy.progressMinimum = 1.5
        harness.options.policy.firstEpochMinimum = 1.5
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        let store = try SweepStore(path: harness.folder.database.path)
        let stuck = try RawPeer(endpoint, identity: "stuck")
        #expect(try stuck.greet(name: "stuck"))
        let assign = try #require(try stuck.takeTrial())
        let taken = Date()
        // It heartbeats every 0.2 s (its lease stays alive) but never reports an epoch.
        #expect(stuck.waitForStop(assign.trialId, seconds: 20) == .leaseLost)
        #expect(Date().timeIntervalSince(taken) >= 1.4, "stopped before the limit")
        #expect(eventually(seconds: 5) { (try? store.trial(id: assign.trialId))?.status == .queued })
        let first = try #require(try store.attempts(trialID: assign.trialId).first)
        #expect(first.outcome == "lost")
        #expect(first.message?.contains("no progress") == true)

        _ = try harness.startWorker(endpoint, name: "real")
        #expect(finished.wait(seconds: 30) == true)
        let trial = try #require(try store.trial(id: assign.trialId))
        #expect(trial.status == .done)
        #expect(trial.attempts == 2)
        #expect(try store.result(trialID: assign.trialId)?.workerID?.hasPrefix("real") == true)
    }

    @Test func aThousandDatasetRequestsGetAHandfulOfDatasetsAndTheCoordinatorStaysResponsive() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#, epochs: 2)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        let flood = try RawPeer(endpoint, identity: "flood")
        #expect(try flood.greet(name: "flood"))
        for _ in 0..<1000 { try flood.send(.datasetRequest(DatasetRequest(sha256: harness.datasetSHA256))) }
        // Handled in order: once this greeting is welcomed, every request before it was answered or dropped.
        let started = Date()
        #expect(try flood.greet(name: "flood-again", seconds: 10))
        #expect(Date().timeIntervalSince(started) < 5)
        _ = flood.waitFor(seconds: 1) { _ in false }
        let datasets = flood.received.filter { if case .dataset = $0 { true } else { false } }.count
        #expect(datasets >= 1 && datasets <= 3, "\(datasets) DATASET messages for 1,000 requests")
        try flood.send(.bye(Bye(code: .shuttingDown)))
        _ = try harness.startWorker(endpoint, name: "real")
        #expect(finished.wait(seconds: 30) == true)
    }

    @Test func aThousandRNS1HellosFromOnePeerAddOneRefusedEvent() async throws {
        let harness = try ServiceHarness()
        let (_, endpoint, finished, shutdown) = try await harness.startCoordinator()
        defer { shutdown.request(); _ = finished.wait(seconds: 10) }
        let old = try RawPeer(endpoint, identity: "old-1")
        for _ in 0..<1000 {
            try old.sendRaw("HELLO", #"{"worker_id":"old","host":"h","cores":1,"build":"b","protocol_version":1}"#, magic: "RNS1")
        }
        // Still answered: each HELLO gets its REFUSED (the raw peer skips them), then an RNS2 greeting
        // from the same identity is welcomed, so all 1,000 were handled.
        #expect(try old.greet(name: "old-now-new", seconds: 20))
        let store = try SweepStore(path: harness.folder.database.path)
        let refused = try store.events(afterID: 0, limit: 100_000).filter { $0.kind == "refused" }
        #expect(refused.count == 1, "\(refused.count) refused rows")
    }

    @Test func refusedCURVEHandshakesAreCountedAndRecordedOnceAsATotal() async throws {
        let harness = try ServiceHarness()
        let server = try CurveKeyPair.generate(), allowed = try CurveKeyPair.generate(), stranger = try CurveKeyPair.generate()
        let keyFile = harness.root.appendingPathComponent("coordinator.key")
        let allowFile = harness.root.appendingPathComponent("allowed.txt")
        try CurveKeyFiles.write(server, to: keyFile)
        try Data("\(allowed.publicKey)\n".utf8).write(to: allowFile)
        harness.options.curveSecretKeyFile = keyFile
        harness.options.allowedWorkerKeysFile = allowFile
        let (_, endpoint, finished, shutdown) = try await harness.startCoordinator()
        // Five connections with one key that is not on the allow-list: five refusals, one key.
        let context = try Context()
        let sockets = try (0..<5).map { i in
            let socket = try Socket(context, .dealer, options: [
                .curveClient(serverPublicKey: server.publicKey, publicKey: stranger.publicKey, secretKey: stranger.secretKey),
                .identity(Array("stranger-\(i)".utf8)), .linger(milliseconds: 0)])
            try socket.connect(endpoint)
            _ = try socket.send(Codec().encode(.hello(Hello(workerId: "stranger", host: "h", cores: 1, build: "b"))), dontWait: true)
            return socket
        }
        usleep(1_500_000)
        shutdown.request()
        #expect(finished.wait(seconds: 10) != nil)
        for socket in sockets { socket.close() }
        context.terminate()
        let store = try SweepStore(path: harness.folder.database.path)
        let refused = try store.events(afterID: 0, limit: 100_000).filter { $0.kind == "refused" }
        #expect(refused.count == 1, "\(refused.map(\.message))")
        let total = try #require(refused.first?.message)
        #expect(total.hasSuffix("CURVE handshakes refused from 1 public keys in this run"), "\(total)")
        #expect((Int(total.prefix { $0.isNumber }) ?? 0) >= 5, "\(total)")
    }
}
