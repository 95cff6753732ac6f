import Foundation
@testable import SweepCoordinator
import SweepProtocol
import SweepStore
import Testing

/// A worker sends READY right behind its RESULT: the result, its epoch and events and the next
/// assignment commit together, and the result is acknowledged only once it is in sweep.db. The
/// acknowledgement alone does not hurry the commit, so a READY that comes a moment later still
/// shares it.
@Suite(.serialized) struct GroupedCommitTests {
    @Test func aResultAndTheAssignmentBehindItShareOneCommitAndTheAckWaitsForIt() async throws {
        // This peer sends no heartbeats: a loaded machine's stall must not make it a lost worker.
        let harness = try ServiceHarness(grid: #"{"hidden_size": [8, 9, 10, 11]}"#, lostAfter: 60)
        let (service, endpoint, finished, _) = try await harness.startCoordinator()
        let store = try SweepStore(path: harness.folder.database.path)
        let peer = try RawPeer(endpoint, identity: "grouped-1")
        #expect(try peer.greet(name: "grouped"))
        var assign = try #require(try peer.takeTrial())
        var commitsPerTrial: [Int] = []
        for _ in 0..<3 {
            let before = service.setup.store.commits
            let seen = peer.received.count
            try peer.send(assign.progress(epoch: 1))
            try peer.send(assign.result(epochs: 1))
            // A READY a little behind its RESULT (the worker wrote its outbox, or lost the cpu for a
            // moment) still finds the result waiting for a commit to ride on: no worker waits for
            // its RESULT_ACK.
            // Blocking, not `Task.sleep`: a busy test run may resume a task seconds later.
            usleep(20_000)
            try peer.send(.ready(Ready()))
            #expect(peer.waitForAck(assign.trialId, attempt: 1))
            // Acknowledged only once committed: read at once, through another connection.
            #expect(try store.result(trialID: assign.trialId)?.status == .done)
            #expect(try store.epochs(trialID: assign.trialId).map(\.epoch) == [1])
            let next = try #require(peer.waitForAssign())
            let replies = peer.received.dropFirst(seen)
            let ackAt = replies.firstIndex { if case .resultAck = $0 { true } else { false } }
            let assignAt = replies.firstIndex { if case .assign = $0 { true } else { false } }
            #expect(ackAt != nil && assignAt != nil && ackAt! < assignAt!)
            commitsPerTrial.append(service.setup.store.commits - before)
            assign = next
        }
        // One commit carries the trial's epoch, result, events and the next assignment (a stall
        // of a tenth of a second between the messages may split one; not all three).
        #expect(commitsPerTrial.min() == 1, "commits per trial: \(commitsPerTrial)")
        try peer.send(assign.result(epochs: 1))
        #expect(peer.waitForAck(assign.trialId, attempt: 1))
        #expect(finished.wait(seconds: 10) == true)
        #expect(try store.allTrials().allSatisfy { $0.status == .done })
    }
}
