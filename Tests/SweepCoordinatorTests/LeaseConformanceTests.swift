import Foundation
import SweepCoordinator
import SweepProtocol
import TrialSpec
import SweepStore
import Testing

/// SPEC.md §5 through the running coordinator (`--workers 0`), with hand-driven peers on real
/// sockets and the real store: only the holder of a lease writes; late results follow the rules.
@Suite(.serialized) struct LeaseConformanceTests {
    @Test func forgedWrongAttemptAndWrongLeaseReportsChangeNothingAndAreStopped() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8, 16]}"#)
        let (_, endpoint, finished, shutdown) = try await harness.startCoordinator()
        defer { shutdown.request(); _ = finished.wait(seconds: 10) }
        let store = try SweepStore(path: harness.folder.database.path)
        let holder = try RawPeer(endpoint, identity: "holder-1")
        #expect(try holder.greet(name: "holder"))
        let assign = try #require(try holder.takeTrial())
        #expect(assign.leaseId.count == 32 && assign.leaseId.allSatisfy(\.isHexDigit))
        let other = try #require(try store.allTrials().map(\.trialID).first { $0 != assign.trialId })

        // A result for a trial never assigned to anybody.
        try holder.send(assign.result(epochs: 3).retargeted(trialId: other))
        #expect(holder.waitForStop(other) == .notLeaseHolder)
        // Attempt 6 while attempt 1 holds the lease, and attempt 1 with a lease id that is not its own.
        try holder.send(assign.result(epochs: 3, attempt: 6))
        #expect(holder.waitForStop(assign.trialId) == .notLeaseHolder)
        try holder.send(assign.result(epochs: 3, leaseId: "\(assign.trialId)/1"))
        #expect(holder.waitForStop(assign.trialId) == .notLeaseHolder)
        #expect(!holder.gotAck(assign.trialId) && !holder.gotAck(other))

        // Another peer that learned the lease id may not report under it.
        let intruder = try RawPeer(endpoint, identity: "intruder-1")
        #expect(try intruder.greet(name: "intruder"))
        try intruder.send(assign.progress(epoch: 1))
        #expect(intruder.waitForStop(assign.trialId) == .notLeaseHolder)
        try intruder.send(assign.checkpoint(epoch: 1, bytes: [1, 2, 3]))
        #expect(intruder.waitForStop(assign.trialId) == .notLeaseHolder)
        try intruder.send(assign.result(epochs: 3))
        #expect(intruder.waitForStop(assign.trialId) == .notLeaseHolder)
        // A reconnecting peer claiming an absurd attempt under a guessed lease is stopped; nothing persists.
        let claimant = try RawPeer(endpoint, identity: "claimant-1")
        #expect(try claimant.greet(name: "claimant", running: RunningTrial(trialId: other, attempt: Int(Int32.max),
                                                                           leaseId: "guess", epoch: Int(Int32.max))))
        #expect(claimant.waitForStop(other) == .notLeaseHolder)
        try claimant.sendRaw("HELLO", """
            {"worker_id":"claimant","host":"h","cores":1,"build":"b","protocol_version":2,
             "running":{"trial_id":"\(other)","attempt":9223372036854775807,"lease_id":"guess","epoch":0}}
            """)
        #expect(try claimant.greet(name: "claimant"))   // handled in order: the bad HELLO was dropped first
        #expect(try store.trial(id: other)?.attempts == 0)
        // The holder's own epoch past the trial's 3 epochs is out of range.
        try holder.send(assign.progress(epoch: 4))
        #expect(holder.waitForStop(assign.trialId) == .outOfRange)

        for trialID in [assign.trialId, other] {
            #expect(try store.result(trialID: trialID) == nil)
            #expect(try store.epochs(trialID: trialID).isEmpty)
            #expect(try store.checkpoints(trialID: trialID).isEmpty)
        }
        let trial = try #require(try store.trial(id: assign.trialId))
        #expect(trial.status == .running && trial.attempts == 1)
        #expect(try store.trial(id: other)?.status == .queued)
        let checkpointFolder = try #require(harness.folder.checkpointFolder(trialID: assign.trialId))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: checkpointFolder.path)) ?? []).isEmpty)
        // The holder's own reports are recorded.
        try holder.send(assign.progress(epoch: 1))
        try holder.send(assign.checkpoint(epoch: 1, bytes: try RealCheckpoints.bytes(for: assign, epoch: 1, datasetFile: harness.datasetFile)))
        try holder.send(assign.result(epochs: 3))
        #expect(holder.waitForAck(assign.trialId, attempt: 1))
        // Each peer's drops are recorded once, not once per message. Events are queued and commit
        // with the next durable write at the latest: the result acknowledged above.
        let drops = try store.tailEvents(limit: 100).filter { $0.kind == "dropped" }
        #expect(drops.count == 3, "\(drops.map(\.message))")
        #expect(try store.epochs(trialID: assign.trialId).map(\.epoch) == [1])
        #expect(try store.checkpoints(trialID: assign.trialId).map(\.attempt) == [1])
        #expect(try store.result(trialID: assign.trialId)?.status == .done)
        // A duplicate of the recorded result is acknowledged again and changes nothing.
        try holder.send(assign.result(valLoss: 9.9, epochs: 3))
        #expect(holder.waitForAck(assign.trialId, attempt: 1))
        #expect(try store.result(trialID: assign.trialId)?.valLoss == 1.5)
    }

    @Test func aCompletedResultWithANaNLossIsDivergedAndWorkerNumbersTheCoordinatorKnowsAreIgnored() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        let store = try SweepStore(path: harness.folder.database.path)
        let expectedParameters = try #require(try store.allTrials().first?.parameters)
        let peer = try RawPeer(endpoint, identity: "nan-1")
        #expect(try peer.greet(name: "nan"))
        let assign = try #require(try peer.takeTrial())
        // "parameters" 1e300 is not part of the result object: ignored, never converted to Int.
        try peer.sendRaw("RESULT", """
            {"trial_id":"\(assign.trialId)","attempt":1,"lease_id":"\(assign.leaseId)","status":"completed",
             "result":{"epochs_run":3,"val_loss":"nan","train_loss":1.2,"parameters":1e300,"samples":["x"]}}
            """)
        #expect(peer.waitForAck(assign.trialId, attempt: 1))
        #expect(finished.wait(seconds: 10) == true)
        let result = try #require(try store.result(trialID: assign.trialId))
        #expect(result.status == .diverged)
        #expect(result.parameters == expectedParameters)
        #expect(try store.trial(id: assign.trialId)?.status == .diverged)
    }

    @Test func aDivergedFailureKeepsItsEpochs() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        let store = try SweepStore(path: harness.folder.database.path)
        let peer = try RawPeer(endpoint, identity: "div-1")
        #expect(try peer.greet(name: "div"))
        let assign = try #require(try peer.takeTrial())
        try peer.send(assign.progress(epoch: 1))
        try peer.send(assign.progress(epoch: 2, loss: .nan))
        try peer.send(.failed(Failed(trialId: assign.trialId, attempt: 1, leaseId: assign.leaseId, failureClass: .diverged,
                                     message: "loss is nan at epoch 2", result: ResultMetrics(epochsRun: 2, trainLoss: .nan))))
        #expect(peer.waitForAck(assign.trialId, attempt: 1))
        #expect(finished.wait(seconds: 10) == true)
        let result = try #require(try store.result(trialID: assign.trialId))
        #expect(result.status == .diverged)
        #expect(result.epochsRun == 2)
        #expect(try store.epochs(trialID: assign.trialId).map(\.epoch) == [1, 2])
        #expect(result.resultJSON.contains("loss is nan at epoch 2"))
    }

    /// A worker that reconnected under a new socket identity lost the PROGRESS it had queued under
    /// the old one; its result's curve fills those epochs in, and never overwrites a reported one.
    @Test func epochsWhoseProgressWasLostComeFromTheResultsCurve() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        let store = try SweepStore(path: harness.folder.database.path)
        let peer = try RawPeer(endpoint, identity: "gap-1")
        #expect(try peer.greet(name: "gap"))
        let assign = try #require(try peer.takeTrial())
        try peer.send(assign.progress(epoch: 1, loss: 2.0))
        // Epoch 2's PROGRESS never arrives; the curve the result carries has all three.
        let valLosses = [2.9, 2.8, 2.7]
        let curve = (1...3).map {
            EpochMetrics(epoch: $0, trainLoss: 3, trainAccuracy: 0.2, valLoss: valLosses[$0 - 1], valAccuracy: 0.2,
                         valPerplexity: 9, seconds: 1, tokensPerSecond: 1)
        }
        try peer.send(assign.result(epochs: 3, history: curve))
        #expect(peer.waitForAck(assign.trialId, attempt: 1))
        #expect(finished.wait(seconds: 10) == true)
        let epochs = try store.epochs(trialID: assign.trialId)
        #expect(epochs.map(\.epoch) == [1, 2, 3])
        #expect(epochs.allSatisfy { $0.attempt == 1 })
        // Epoch 1 is the one reported (val loss 2.0 + 0.1), not the result's copy (2.9).
        #expect(epochs.map(\.valLoss) == [2.0 + 0.1, 2.8, 2.7])
    }

    @Test func aStaleAttemptsLateResultIsRecordedAndTheTrialKeepsOnlyItsCurveAndCheckpoints() async throws {
        // The grace must outlast the steps below in which the second peer does not heartbeat
        // (a loaded machine takes seconds for them).
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8]}"#, lostAfter: 30)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        let store = try SweepStore(path: harness.folder.database.path)
        let first = try RawPeer(endpoint, identity: "slow-1")
        #expect(try first.greet(name: "slow"))
        let one = try #require(try first.takeTrial())
        try first.send(one.progress(epoch: 1, loss: 2.0))
        try first.send(one.checkpoint(epoch: 1, bytes: try RealCheckpoints.bytes(for: one, epoch: 1, datasetFile: harness.datasetFile)))
        // The second worker waits for work while the first goes silent past the grace.
        let second = try RawPeer(endpoint, identity: "fast-1")
        #expect(try second.greet(name: "fast"))
        try second.send(.ready(Ready()))
        let two = try #require(second.waitForAssign(seconds: 70))
        #expect(two.trialId == one.trialId && two.attempt == 2 && two.leaseId != one.leaseId)
        #expect(two.resumeCheckpoint?.epoch == 1)
        try second.send(two.progress(epoch: 2, loss: 5.0))
        try second.send(two.checkpoint(epoch: 2, bytes: try RealCheckpoints.bytes(for: two, epoch: 2, datasetFile: harness.datasetFile)))
        try second.send(two.progress(epoch: 3, loss: 5.0))
        // Nothing answers those: wait until the store shows them (the second peer heartbeats meanwhile).
        var landed = false
        for _ in 0..<200 where !landed {
            _ = second.waitFor(seconds: 0.05) { _ in false }
            landed = try store.epochs(trialID: two.trialId).contains { $0.attempt == 2 && $0.epoch == 3 }
                && store.checkpoints(trialID: two.trialId).contains { $0.attempt == 2 }
        }
        #expect(landed)

        // The silent worker's old identity is forgotten: it is asked to greet again.
        try first.send(one.progress(epoch: 2))
        #expect(first.waitFor(heartbeat: false) { if case .bye(let b) = $0, b.code == .unknownWorker { true } else { false } } != nil)
        // It comes back under a new identity and delivers attempt 1's result. A different worker
        // quoting that lease is refused; the worker that held it is recorded.
        let stranger = try RawPeer(endpoint, identity: "stranger-1")
        #expect(try stranger.greet(name: "stranger"))
        try stranger.send(one.result(epochs: 3))
        #expect(stranger.waitForStop(one.trialId) == .leaseLost)
        let back = try RawPeer(endpoint, identity: "slow-2")
        #expect(try back.greet(name: "slow"))
        let history = (1...3).map { EpochMetrics(epoch: $0, trainLoss: 2, trainAccuracy: 0.3, valLoss: 2.1, valAccuracy: 0.3, valPerplexity: 8, seconds: 1, tokensPerSecond: 1) }
        try back.send(one.result(epochs: 3, history: history))
        #expect(back.waitForAck(one.trialId, attempt: 1))
        // The live holder of attempt 2 is stopped, and its reports are refused from then on.
        #expect(second.waitForStop(two.trialId) == .superseded)
        try second.send(two.result(epochs: 3))
        // Refused: STOP superseded, or, when that result finished the sweep and the coordinator
        // ended it before this one arrived, BYE sweep_complete (which one depends on timing alone).
        let refusal = second.waitFor { message in
            switch message {
            case .stop(let stop): stop.trialId == two.trialId
            case .bye: true
            default: false
            }
        }
        switch refusal {
        case .stop(let stop)?: #expect(stop.code == .superseded)
        case .bye(let bye)?: #expect(bye.code == .sweepComplete)
        default: Issue.record("no STOP or BYE after the superseded attempt's result: \(String(describing: refusal))")
        }
        #expect(!second.gotAck(two.trialId))
        #expect(finished.wait(seconds: 10) == true)

        let result = try #require(try store.result(trialID: one.trialId))
        #expect(result.attempt == 1 && result.status == .done)
        #expect(try store.trial(id: one.trialId)?.attempts == 2)
        #expect(try store.attempts(trialID: one.trialId).map { $0.outcome ?? "open" } == ["done", "superseded"])
        let curve = try store.epochs(trialID: one.trialId)
        #expect(curve.map(\.epoch) == [1, 2, 3])
        #expect(curve.allSatisfy { $0.attempt == 1 && $0.trainLoss == 2 })
        let kept = try store.checkpoints(trialID: one.trialId)
        #expect(kept.map(\.attempt) == [1])
        #expect(kept.first?.isLatest == true)
        let file = try #require(kept.first.map { harness.folder.absolute($0.path) })
        #expect(try [UInt8](Data(contentsOf: file)) == RealCheckpoints.bytes(for: one, epoch: 1, datasetFile: harness.datasetFile))
        let folder = try #require(harness.folder.checkpointFolder(trialID: one.trialId))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1)
    }

    @Test func aFailedTrialsLastLeaseHolderCanStillDeliverItsResult() async throws {
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8, 16]}"#, lostAfter: 2, maxAttempts: 1)
        let (_, endpoint, finished, _) = try await harness.startCoordinator()
        let store = try SweepStore(path: harness.folder.database.path)
        let lost = try RawPeer(endpoint, identity: "lost-1")
        #expect(try lost.greet(name: "lost"))
        let doomed = try #require(try lost.takeTrial())
        // A second worker holds the other trial and stays alive, so the sweep is not over.
        let alive = try RawPeer(endpoint, identity: "alive-1")
        #expect(try alive.greet(name: "alive"))
        let kept = try #require(try alive.takeTrial())
        // The first goes silent: with one attempt allowed, its trial fails.
        var failed = false
        for _ in 0..<100 where !failed {
            _ = alive.waitFor(seconds: 0.1) { _ in false }
            failed = try store.trial(id: doomed.trialId)?.status == .failed
        }
        #expect(failed)
        // It comes back with the result of that last lease: recorded, the trial is done.
        let back = try RawPeer(endpoint, identity: "lost-2")
        #expect(try back.greet(name: "lost"))
        try back.send(doomed.result(epochs: 3))
        #expect(back.waitForAck(doomed.trialId, attempt: 1))
        #expect(try store.trial(id: doomed.trialId)?.status == .done)
        #expect(try store.result(trialID: doomed.trialId)?.attempt == 1)
        try alive.send(kept.result(epochs: 3))
        #expect(alive.waitForAck(kept.trialId, attempt: 1))
        #expect(finished.wait(seconds: 10) == true)
    }

    @Test func anRNS1PeerIsRefusedInItsOwnVersionNamingBoth() async throws {
        let harness = try ServiceHarness()
        let (_, endpoint, finished, shutdown) = try await harness.startCoordinator()
        defer { shutdown.request(); _ = finished.wait(seconds: 10) }
        let old = try RawPeer(endpoint, identity: "old-1")
        try old.sendRaw("HELLO", #"{"worker_id":"old","host":"h","cores":1,"build":"b","protocol_version":1}"#, magic: "RNS1")
        let frames = try #require(old.receiveFrames())
        #expect(frames.count == 3)
        #expect(frames.first == Array("RNS1".utf8))
        #expect(frames.dropFirst().first == Array("REFUSED".utf8))
        let header = try #require(try JSONSerialization.jsonObject(with: Data(frames[2])) as? [String: Any])
        #expect(header["reason"] as? String == "protocol version 1 is not supported; this coordinator speaks version 2")
        #expect(header["received_version"] as? Int == 1)
        #expect(header["supported_version"] as? Int == 2)
    }
}

extension Message {
    /// The same RESULT about another trial (a forgery).
    func retargeted(trialId: String) -> Message {
        guard case .result(var result) = self else { return self }
        result.trialId = trialId
        return .result(result)
    }
}
