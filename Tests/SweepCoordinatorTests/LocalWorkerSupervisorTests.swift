import Foundation
import Testing
@testable import SweepCoordinator

@Suite struct LocalWorkerSupervisorTests {
    private func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    @Test func restartsAChildThatDiesAndEndsAllOnStop() throws {
        let events = EventLog()
        let supervisor = LocalWorkerSupervisor(.init(executable: URL(fileURLWithPath: "/bin/sleep"),
                                                     arguments: { _ in ["30"] }, count: 2), onEvent: events.append)
        try supervisor.start()
        let first = supervisor.pids
        #expect(first.count == 2)
        kill(first[0], SIGKILL)
        // The restart is announced once the new child runs (after a 1 s back-off).
        #expect(events.wait(seconds: 10) { $0.filter { $0.hasPrefix("worker 0 started") }.count == 2 },
                "no restart in \(events.all)")
        let second = supervisor.pids
        #expect(supervisor.restartCount == 1)
        #expect(second.count == 2)
        #expect(!second.contains(first[0]))
        #expect(second.contains(first[1]))
        supervisor.stop(timeout: 2)
        #expect(supervisor.pids.isEmpty)
        for pid in second { #expect(!isAlive(pid)) }
    }

    @Test func writesEachChildsOutputToItsLogFile() throws {
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("sup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: logs) }
        let events = EventLog()
        let supervisor = LocalWorkerSupervisor(.init(executable: URL(fileURLWithPath: "/bin/sh"),
                                                     arguments: { ["-c", "echo child \($0)"] }, count: 2,
                                                     logDirectory: logs), onEvent: events.append)
        try supervisor.start()
        // A child that exits 0 is not restarted; once it has exited its output is complete.
        #expect(events.wait(seconds: 10) { $0.contains { $0.hasPrefix("worker 1 (pid ") && $0.hasSuffix("exited with status 0") } },
                "worker 1 did not exit: \(events.all)")
        supervisor.stop(timeout: 2)
        #expect(try String(contentsOf: logs.appendingPathComponent("worker-1.log"), encoding: .utf8) == "child 1\n")
        #expect(supervisor.restartCount == 0)
    }
}

/// The supervisor's events, which a test waits on instead of sleeping.
final class EventLog: @unchecked Sendable {
    private let condition = NSCondition()
    private var events: [String] = []

    var all: [String] { condition.lock(); defer { condition.unlock() }; return events }

    @Sendable func append(_ event: String) {
        condition.lock()
        events.append(event)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until `satisfied` holds for the events so far; false after `seconds`.
    func wait(seconds: Double, until satisfied: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !satisfied(events) {
            guard condition.wait(until: deadline) else { return satisfied(events) }
        }
        return true
    }
}
