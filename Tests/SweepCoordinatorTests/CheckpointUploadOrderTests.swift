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

    static func gatedStorer(_ gate: Gate, harness: ServiceHarness) throws -> (CoordinatorService) throws -> Void {
        let text = String(decoding: try Data(contentsOf: harness.datasetFile), as: UTF8.self)
        return { service in
            service.storer = CheckpointStorer(inspector: CheckpointInspector(text: text), beforeEach: { gate.pass() })
        }
    }

    @Test func anotherWorkerIsServedWhileACheckpointIsStoredAndTheUploadersResultWaitsForIt() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8, 16]}"#)
        let gate = Gate()
        let (_, endpoint, finished, shutdown) = try await harness.startCoordinator(configure: try Self.gatedStorer(gate, harness: harness))
        defer { gate.open(); shutdown.request(); _ = finished.wait(seconds: 10) }
        let store = try SweepStore(path: harness.folder.database.path)
        let uploader = try RawPeer(endpoint, identity: "uploader-1")
        #expect(try uploader.greet(name: "uploader"))
        let first = try #require(try uploader.takeTrial())
        let other = try RawPeer(endpoint, identity: "other-1")
        #expect(try other.greet(name: "other"))
        let second = try #require(try other.takeTrial())

        let bytes = try RealCheckpoints.bytes(for: first, epoch: 1, datasetFile: harness.datasetFile)
        try uploader.send(first.progress(epoch: 1))
        try uploader.send(first.checkpoint(epoch: 1, bytes: bytes))
        try uploader.send(first.result(epochs: 3))
        // The gate holds the upload; the loop still takes and acknowledges the other worker's result.
        #expect(gate.waitForArrival())
        try other.send(second.progress(epoch: 1))
        try other.send(second.result(epochs: 3))
        #expect(other.waitForAck(second.trialId, attempt: second.attempt))
        #expect(try store.result(trialID: second.trialId)?.status == .done)
        // The uploader's result came after its checkpoint: it waits with it.
        #expect(!uploader.waitForAck(first.trialId, attempt: first.attempt, seconds: 0.5))
        #expect(try store.result(trialID: first.trialId) == nil)
        #expect(try store.checkpoints(trialID: first.trialId).isEmpty)

        gate.open()
        #expect(uploader.waitForAck(first.trialId, attempt: first.attempt))
        let checkpoints = try store.checkpoints(trialID: first.trialId)
        #expect(checkpoints.map(\.epoch) == [1])
        #expect(checkpoints.first?.sha256 == SHA256Hex.digest(bytes))
        #expect(try store.result(trialID: first.trialId)?.status == .done)
        let file = harness.folder.absolute(try #require(checkpoints.first).path)
        #expect(SHA256Hex.digest(try Data(contentsOf: file)) == SHA256Hex.digest(bytes))
    }

    @Test func aCheckpointStillBeingStoredAtShutdownIsRecorded() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#)
        let gate = Gate()
        let (_, endpoint, finished, shutdown) = try await harness.startCoordinator(configure: try Self.gatedStorer(gate, harness: harness))
        defer { gate.open(); shutdown.request(); _ = finished.wait(seconds: 10) }
        let peer = try RawPeer(endpoint, identity: "uploader-1")
        #expect(try peer.greet(name: "uploader"))
        let assign = try #require(try peer.takeTrial())
        try peer.send(assign.checkpoint(epoch: 1, bytes: try RealCheckpoints.bytes(for: assign, epoch: 1, datasetFile: harness.datasetFile)))
        // Shutdown while the upload waits at the gate: the loop ends, then settles it before closing.
        #expect(gate.waitForArrival())
        shutdown.request()
        try await Task.sleep(for: .milliseconds(300))
        #expect(finished.wait(seconds: 0.1) == nil)
        gate.open()
        #expect(finished.wait(seconds: 10) == false)
        let store = try SweepStore(path: harness.folder.database.path)
        #expect(try store.checkpoints(trialID: assign.trialId).map(\.epoch) == [1])
    }

    @Test func aCheckpointUploadedJustBeforeItsLocalWorkerDiedIsKeptForTheRetry() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#)
        let gate = Gate()
        let (service, endpoint, finished, shutdown) = try await harness.startCoordinator(configure: try Self.gatedStorer(gate, harness: harness))
        defer { gate.open(); shutdown.request(); _ = finished.wait(seconds: 10) }
        let peer = try RawPeer(endpoint, identity: "uploader-1")
        #expect(try peer.greet(name: "uploader"))
        let assign = try #require(try peer.takeTrial())
        try peer.send(assign.checkpoint(epoch: 2, bytes: try RealCheckpoints.bytes(for: assign, epoch: 2, datasetFile: harness.datasetFile)))
        #expect(gate.waitForArrival())
        // The process dies while its upload is stored: the exit waits for the upload, then requeues.
        service.localWorkerExits.post(LocalWorkerExit(index: 0, pid: 1, workerID: "uploader", how: "signal 9"))
        try await Task.sleep(for: .milliseconds(300))
        gate.open()
        let store = try SweepStore(path: harness.folder.database.path)
        #expect(eventually(seconds: 10) { (try? store.trial(id: assign.trialId)?.status) == .queued })
        #expect(try store.checkpoints(trialID: assign.trialId).map(\.epoch) == [2])
        // The next attempt resumes from it.
        let next = try RawPeer(endpoint, identity: "next-1")
        #expect(try next.greet(name: "next"))
        let again = try #require(try next.takeTrial())
        #expect(again.trialId == assign.trialId && again.attempt == assign.attempt + 1)
        #expect(again.resumeCheckpoint?.epoch == 2)
    }

    @Test func aPeerFloodingWhileItsCheckpointIsStoredLosesWhatIsBeyondTheBound() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#)
        let gate = Gate()
        let (_, endpoint, finished, shutdown) = try await harness.startCoordinator(configure: try Self.gatedStorer(gate, harness: harness))
        defer { gate.open(); shutdown.request(); _ = finished.wait(seconds: 10) }
        let peer = try RawPeer(endpoint, identity: "uploader-1")
        #expect(try peer.greet(name: "uploader"))
        let assign = try #require(try peer.takeTrial())
        try peer.send(assign.checkpoint(epoch: 1, bytes: try RealCheckpoints.bytes(for: assign, epoch: 1, datasetFile: harness.datasetFile)))
        #expect(gate.waitForArrival())
        for _ in 0..<(CoordinatorService.maxHeldMessages + 50) { try peer.send(.heartbeat) }
        try peer.send(assign.result(epochs: 3))
        try await Task.sleep(for: .milliseconds(500))
        gate.open()
        // The held heartbeats are handled, the rest dropped; the result, past the bound, is resent from the outbox by a real worker.
        let store = try SweepStore(path: harness.folder.database.path)
        #expect(eventually(seconds: 10) { (try? store.checkpoints(trialID: assign.trialId).map(\.epoch)) == [1] })
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
