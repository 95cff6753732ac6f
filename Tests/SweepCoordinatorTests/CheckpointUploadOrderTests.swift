import Foundation
@testable import SweepCoordinator
import SweepProtocol
import SweepStore
import SweepTestSupport
import Testing

/// Uploaded checkpoints are stored off the coordinator's loop: other workers are served meanwhile,
/// and the uploader's later messages wait for its checkpoint, so its result never commits first.
/// Real sockets and store; the storer is held at a gate the test opens.
@Suite(.serialized) struct CheckpointUploadOrderTests {
    /// Holds each upload until `open()`; `waitForArrival` returns once one is held.
    final class Gate: @unchecked Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        private let arrivals = DispatchSemaphore(value: 0)
        func pass() {
            arrivals.signal()
            semaphore.wait()
            semaphore.signal()
        }
        func open() { semaphore.signal() }
        func waitForArrival(seconds: Double = 10) -> Bool { arrivals.wait(timeout: .now() + seconds) == .success }
    }

    /// A coordinator whose storer holds each upload at `gate`.
    struct GatedRun {
        let harness: ServiceHarness
        let gate: Gate
        let service: CoordinatorService
        let endpoint: String
        let finished: Finished<Bool>
        let shutdown: ShutdownSignal

        static func start(grid: String) async throws -> GatedRun {
            // Leases long enough that a loaded machine never lets one lapse while an upload is held.
            let harness = try ServiceHarness(grid: grid, lostAfter: 60)
            let text = String(decoding: try Data(contentsOf: harness.datasetFile), as: UTF8.self)
            let gate = Gate()
            let (service, endpoint, finished, shutdown) = try await harness.startCoordinator { service in
                service.storer = CheckpointStorer(makeInspector: { CheckpointInspector(text: text) }, beforeEach: { gate.pass() })
            }
            return GatedRun(harness: harness, gate: gate, service: service, endpoint: endpoint, finished: finished, shutdown: shutdown)
        }

        var store: SweepStore { get throws { try SweepStore(path: harness.folder.database.path) } }

        /// A peer that took a trial and uploaded its checkpoint of `epoch`, now held at the gate.
        func heldUpload(epoch: Int, name: String = "uploader") throws -> (peer: RawPeer, assign: Assign, bytes: [UInt8]) {
            let peer = try RawPeer(endpoint, identity: "\(name)-1")
            #expect(try peer.greet(name: name))
            let assign = try #require(try peer.takeTrial())
            let bytes = try RealCheckpoints.bytes(for: assign, epoch: epoch, datasetFile: harness.datasetFile)
            try peer.send(assign.checkpoint(epoch: epoch, bytes: bytes))
            #expect(gate.waitForArrival())
            return (peer, assign, bytes)
        }

        func end() {
            gate.open()
            shutdown.request()
            _ = finished.wait(seconds: 10)
        }
    }

    @Test func anotherWorkerIsServedWhileACheckpointIsStoredAndTheUploadersResultWaitsForIt() async throws {
        let run = try await GatedRun.start(grid: #"{"hidden_size": [8, 16]}"#)
        defer { run.end() }
        let store = try run.store
        let (uploader, first, bytes) = try run.heldUpload(epoch: 1)
        try uploader.send(first.result(epochs: 3))
        // The gate holds the upload; the loop still takes and acknowledges the other worker's result.
        let other = try RawPeer(run.endpoint, identity: "other-1")
        #expect(try other.greet(name: "other"))
        let second = try #require(try other.takeTrial())
        try other.send(second.progress(epoch: 1))
        try other.send(second.result(epochs: 3))
        #expect(other.waitForAck(second.trialId, attempt: second.attempt))
        #expect(try store.result(trialID: second.trialId)?.status == .done)
        // The uploader's result came after its checkpoint: it waits with it.
        #expect(!uploader.waitForAck(first.trialId, attempt: first.attempt, seconds: 0.5))
        #expect(try store.result(trialID: first.trialId) == nil)
        #expect(try store.checkpoints(trialID: first.trialId).isEmpty)

        run.gate.open()
        #expect(uploader.waitForAck(first.trialId, attempt: first.attempt))
        let checkpoints = try store.checkpoints(trialID: first.trialId)
        #expect(checkpoints.map(\.epoch) == [1])
        #expect(checkpoints.first?.sha256 == SHA256Hex.digest(bytes))
        #expect(try store.result(trialID: first.trialId)?.status == .done)
        let file = run.harness.folder.absolute(try #require(checkpoints.first).path)
        #expect(SHA256Hex.digest(try Data(contentsOf: file)) == SHA256Hex.digest(bytes))
    }

    @Test func aCheckpointStillBeingStoredAtShutdownIsRecorded() async throws {
        let run = try await GatedRun.start(grid: #"{"hidden_size": [8]}"#)
        defer { run.end() }
        let (_, assign, _) = try run.heldUpload(epoch: 1)
        // Shutdown while the upload waits at the gate: the loop ends, then settles it before closing.
        run.shutdown.request()
        try await Task.sleep(for: .milliseconds(300))
        #expect(run.finished.wait(seconds: 0.1) == nil)
        run.gate.open()
        #expect(run.finished.wait(seconds: 10) == false)
        #expect(try run.store.checkpoints(trialID: assign.trialId).map(\.epoch) == [1])
    }

    @Test func aCheckpointUploadedJustBeforeItsLocalWorkerDiedIsKeptForTheRetry() async throws {
        let run = try await GatedRun.start(grid: #"{"hidden_size": [8]}"#)
        defer { run.end() }
        let (_, assign, _) = try run.heldUpload(epoch: 2)
        // The process dies while its upload is stored: the exit waits for the upload, then requeues.
        run.service.localWorkerExits.post(LocalWorkerExit(index: 0, pid: 1, workerID: "uploader", how: "signal 9"))
        try await Task.sleep(for: .milliseconds(300))
        run.gate.open()
        let store = try run.store
        #expect(eventually(seconds: 30) { (try? store.trial(id: assign.trialId)?.status) == .queued })
        #expect(try store.checkpoints(trialID: assign.trialId).map(\.epoch) == [2])
        // The next attempt resumes from it.
        let next = try RawPeer(run.endpoint, identity: "next-1")
        #expect(try next.greet(name: "next"))
        let again = try #require(try next.takeTrial())
        #expect(again.trialId == assign.trialId && again.attempt == assign.attempt + 1)
        #expect(again.resumeCheckpoint?.epoch == 2)
    }

    @Test func aPeerFloodingWhileItsCheckpointIsStoredLosesWhatIsBeyondTheBound() async throws {
        let run = try await GatedRun.start(grid: #"{"hidden_size": [8]}"#)
        defer { run.end() }
        let (peer, assign, _) = try run.heldUpload(epoch: 1)
        for _ in 0..<(CoordinatorService.maxHeldMessages + 50) { try peer.send(.heartbeat) }
        try peer.send(assign.result(epochs: 3))
        try await Task.sleep(for: .milliseconds(500))
        run.gate.open()
        // The first 1,000 are handled after the checkpoint, the rest dropped (a real worker resends
        // its result from the outbox).
        let store = try run.store
        #expect(eventually(seconds: 30) { (try? store.checkpoints(trialID: assign.trialId).map(\.epoch)) == [1] })
        let drops = try store.tailEvents(limit: 100).filter { $0.kind == "dropped" }.map(\.message)
        #expect(drops.contains { $0.contains("beyond \(CoordinatorService.maxHeldMessages) messages") }, "\(drops)")
        #expect(try store.result(trialID: assign.trialId) == nil)
    }

    @Test func aForgedDigestIsDroppedAndTheSendersNextMessagesStillCount() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#)
        let (_, endpoint, finished, shutdown) = try await harness.startCoordinator()
        defer { shutdown.request(); _ = finished.wait(seconds: 10) }
        let peer = try RawPeer(endpoint, identity: "uploader-1")
        #expect(try peer.greet(name: "uploader"))
        let assign = try #require(try peer.takeTrial())
        let bytes = try RealCheckpoints.bytes(for: assign, epoch: 1, datasetFile: harness.datasetFile)
        try peer.send(.checkpoint(CheckpointUpload(trialId: assign.trialId, attempt: assign.attempt, leaseId: assign.leaseId, epoch: 1,
                                                   sha256: String(repeating: "0", count: 64), isBest: true, bytes: bytes.count),
                                  bytes: bytes))
        try peer.send(assign.result(epochs: 3))
        #expect(peer.waitForAck(assign.trialId, attempt: assign.attempt))
        let store = try SweepStore(path: harness.folder.database.path)
        #expect(try store.checkpoints(trialID: assign.trialId).isEmpty)
        let drops = try store.tailEvents(limit: 100).filter { $0.kind == "dropped" }.map(\.message)
        #expect(drops.contains { $0.contains("whose sha256 is \(SHA256Hex.digest(bytes))") }, "\(drops)")
    }
}
