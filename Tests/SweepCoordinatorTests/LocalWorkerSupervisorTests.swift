import Foundation
import Testing
@testable import SweepCoordinator

@Suite struct LocalWorkerSupervisorTests {
    private func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    @Test func restartsAChildThatDiesAndEndsAllOnStop() throws {
        let supervisor = LocalWorkerSupervisor(.init(executable: URL(fileURLWithPath: "/bin/sleep"),
                                                     arguments: { _ in ["30"] }, count: 2))
        try supervisor.start()
        let first = supervisor.pids
        #expect(first.count == 2)
        kill(first[0], SIGKILL)
        var waited = 0.0
        while supervisor.restartCount == 0 || supervisor.pids.count < 2, waited < 5 {
            usleep(50_000); waited += 0.05
        }
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
        let supervisor = LocalWorkerSupervisor(.init(executable: URL(fileURLWithPath: "/bin/sh"),
                                                     arguments: { ["-c", "echo child \($0); exec sleep 30"] }, count: 2,
                                                     logDirectory: logs))
        try supervisor.start()
        var text = ""
        for _ in 0..<100 {
            text = (try? String(contentsOf: logs.appendingPathComponent("worker-1.log"), encoding: .utf8)) ?? ""
            if !text.isEmpty { break }
            usleep(20_000)
        }
        supervisor.stop(timeout: 2)
        #expect(text == "child 1\n")
    }
}
