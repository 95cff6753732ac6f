import Foundation
import SweepCoordinator
import SweepProtocol
import SweepStore
import SweepTestSupport
import SweepWorker
import Testing

/// 100,000 well-formed messages with extreme values, of every command, from several peers over a
/// real socket to a live coordinator: it must keep running, record nothing it was not entitled
/// to, and afterwards a real worker must complete the sweep.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct LiveFuzzTests {
    @Test func extremeMessagesNeverStopTheCoordinatorAndARealWorkerFinishesTheSweep() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8, 16]}"#, epochs: 2, maxAttempts: 100_000)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        let store = try SweepStore(path: harness.folder.database.path)
        let trialIDs = try store.allTrials().map(\.trialID)
        var fuzz = MessageFuzzer(trialIDs: trialIDs, datasetSHA: harness.datasetSHA256)
        // Two peers greet first (so their reports reach the lease checks), one never does.
        let peers = try (0..<3).map { try RawPeer(endpoint, identity: "fuzz-\($0)") }
        #expect(try peers[0].greet(name: "fuzz-a"))
        #expect(try peers[1].greet(name: "fuzz-b"))
        var random = SplitMix64(seed: 0xF0_22_ED)
        var commands = Set<String>()
        for i in 0..<100_000 {
            let peer = peers[Int(random.next() % 3)]
            let frames = fuzz.next(&random)
            commands.insert(String(decoding: frames[1], as: UTF8.self))
            try peer.sendRaw(frames)
            if i % 200 == 0 { for p in peers { p.drain() } }
            #expect(finished.wait(seconds: 0) == nil || i % 10_000 != 0, "the coordinator stopped")
        }
        #expect(commands.isSuperset(of: Command.allCases.map(\.rawValue)))
        #expect(finished.wait(seconds: 0) == nil, "the coordinator stopped during the fuzz")
        // Still answering, and every message was handled: each peer's own greeting after its
        // last fuzz message is welcomed (a peer's messages are handled in order).
        for (i, peer) in peers.enumerated() {
            #expect(try peer.greet(name: "fuzz-end-\(i)", seconds: 60))
            try peer.send(.bye(Bye(code: .shuttingDown)))
        }

        // Nothing the fuzzer said was recorded as a result.
        #expect(try trialIDs.allSatisfy { try store.result(trialID: $0) == nil })
        _ = try harness.startWorker(endpoint, name: "real")
        #expect(finished.wait(seconds: 30) == true)
        let trials = try store.allTrials()
        #expect(trials.allSatisfy { $0.status == .done })
        for trial in trials {
            let result = try #require(try store.result(trialID: trial.trialID))
            #expect(result.workerID?.hasPrefix("real") == true)
        }
    }
}
