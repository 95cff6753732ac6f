import Foundation
import Testing
@testable import SweepWorker

@Suite struct OutboxTests {
    @Test func keepsMessagesAcrossInstancesUntilAcknowledged() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        try outbox.put(trialID: "aa11", attempt: 2, frames: [[1, 2], [3]])
        try outbox.put(trialID: "bb22", attempt: 1, frames: [[4]])
        // A restarted worker opens the same folder.
        let again = try Outbox(directory: dir)
        let pending = again.pending().messages
        #expect(pending.count == 2)
        #expect(pending.first(where: { $0.trialID == "aa11" })?.frames == [[1, 2], [3]])
        #expect(pending.first(where: { $0.trialID == "aa11" })?.attempt == 2)
        again.remove(trialID: "aa11")
        #expect(outbox.pending().messages.map(\.trialID) == ["bb22"])
        try Data("garbage".utf8).write(to: dir.appendingPathComponent("zz.json"))
        #expect(outbox.pending().unreadable.count == 1)
    }

    @Test func anAnswerAboutAnotherAttemptLeavesTheEntry() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        try outbox.put(trialID: "aa11", attempt: 3, frames: [[1]])
        // A late RESULT_ACK or STOP about attempt 2 must not delete attempt 3's unacknowledged result.
        outbox.remove(trialID: "aa11", attempt: 2)
        #expect(outbox.pending().messages.map(\.attempt) == [3])
        outbox.remove(trialID: "aa11", attempt: 3)
        #expect(outbox.isEmpty)
    }
}
