import Foundation
import SweepTestSupport
import Testing
@testable import SweepCoordinator

@Suite struct LocalWorkerSupervisorTests {
    private func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    @Test func restartsAChildThatDiesAndEndsAllOnStop() throws {
        let events = EventLog()
        let supervisor = LocalWorkerSupervisor(.init(executable: URL(fileURLWithPath: "/bin/sleep"),
                                                     arguments: { _, _ in ["30"] }, count: 2), onEvent: events.append)
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

    /// A worker arms PR_SET_PDEATHSIG, which the kernel fires when the *thread* that spawned it
    /// exits. Replacements spawned from a thread pool died seconds later, when the pool retired
    /// the thread; `setpriv --pdeathsig` arms the same signal here.
    @Test func aReplacementWithAParentDeathSignalOutlivesThreadPoolThreads() throws {
        let supervisor = LocalWorkerSupervisor(.init(executable: URL(fileURLWithPath: "/usr/bin/setpriv"),
                                                     arguments: { _, _ in ["--pdeathsig", "KILL", "--", "/bin/sleep", "60"] },
                                                     count: 1))
        defer { supervisor.stop(timeout: 1) }
        try supervisor.start()
        let first = try #require(supervisor.pids.first)
        kill(first, SIGKILL)
        #expect(eventually(seconds: 5) { supervisor.restartCount == 1 && supervisor.pids.count == 1 })
        let replacement = try #require(supervisor.pids.first)
        // Idle pool threads are retired after a few seconds; give the pools time to do it.
        _ = eventually(seconds: 12) { !isAlive(replacement) }
        #expect(isAlive(replacement), "the replacement was killed by its parent-death signal")
        #expect(supervisor.restartCount == 1)
    }

    @Test func reportsAnExitWithTheWorkerIDTheChildWasStartedWith() throws {
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("sup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: logs) }
        let exits = LocalWorkerExits()
        let supervisor = LocalWorkerSupervisor(.init(executable: URL(fileURLWithPath: "/bin/sh"),
                                                     arguments: { _, id in ["-c", "echo \"$0\"; exec sleep 30", id] },
                                                     count: 1, logDirectory: logs),
                                               onExit: { exits.post($0) })
        defer { supervisor.stop(timeout: 1) }
        try supervisor.start()
        let log = logs.appendingPathComponent("worker-0.log")
        var started = ""
        #expect(eventually(seconds: 5) {
            started = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            return started.hasSuffix("\n")
        })
        let pid = try #require(supervisor.pids.first)
        kill(pid, SIGKILL)
        var seen: [LocalWorkerExit] = []
        #expect(eventually(seconds: 5) { seen += exits.take(); return !seen.isEmpty })
        #expect(seen.count == 1)
        #expect(seen.first?.pid == pid)
        #expect(seen.first?.how == "signal 9")
        #expect(seen.first.map { $0.workerID + "\n" } == started)
        #expect(seen.first?.workerID.contains("-local0-") == true)
    }

    @Test func writesEachChildsOutputToItsLogFile() throws {
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("sup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: logs) }
        let events = EventLog()
        let supervisor = LocalWorkerSupervisor(.init(executable: URL(fileURLWithPath: "/bin/sh"),
                                                     arguments: { index, _ in ["-c", "echo child \(index)"] }, count: 2,
                                                     logDirectory: logs), onEvent: events.append)
        try supervisor.start()
        // A child that exits 0 is not restarted; once it has exited its output is complete.
        #expect(events.wait(seconds: 10) { $0.contains { $0.hasPrefix("worker 1 (pid ") && $0.hasSuffix("exited with status 0") } },
                "worker 1 did not exit: \(events.all)")
        supervisor.stop(timeout: 2)
        #expect(try String(contentsOf: logs.appendingPathComponent("worker-1.log"), encoding: .utf8) == "child 1\n")
        #expect(supervisor.restartCount == 0)
    }

    @Test func aMissingExecutableFailsStart() {
        let supervisor = LocalWorkerSupervisor(.init(executable: URL(fileURLWithPath: "/nonexistent/worker"),
                                                     arguments: { _, _ in [] }, count: 1))
        #expect(throws: (any Error).self) { try supervisor.start() }
        #expect(supervisor.pids.isEmpty)
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
