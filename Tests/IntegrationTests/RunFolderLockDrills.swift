import Foundation
import SweepTestSupport
import SweepStore
import Testing

/// One coordinator per run folder.
extension SweepRunTests {
    @Test func aSecondCoordinatorOnTheSameFolderIsRefusedAndChangesNothing() throws {
        let folder = try temporaryFolder("twocoord")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = try SweepFiles.write(name: "twocoord", in: folder, grid: #"{"hidden_size": [16, 24]}"#, hidden: nil)
        // No workers: the first coordinator waits, holding the folder.
        let first = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "0", "--runs", folder.path],
                              in: folder, name: "coordinator-1")
        defer { first.signal(SIGKILL); _ = first.wait(seconds: 5) }
        #expect(eventually(seconds: 20) { first.stderr.contains("coordinator listening") })
        let root = folder.appendingPathComponent("runs/twocoord")
        let db = root.appendingPathComponent("sweep.db")
        // Local workers reach it over an ipc socket inside the folder, which only its owner may enter.
        #expect(first.stderr.contains("listening on ipc://\(root.path)/coordinator.sock"), "\(first.stderr.prefix(500))")
        let mode = try FileManager.default.attributesOfItem(atPath: root.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        let before = try Data(contentsOf: db)

        for extra in [[], ["--fresh"], ["--extend"], ["--workers", "1"]] {
            let second = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "0", "--runs", folder.path] + extra,
                                   in: folder, name: "coordinator-2")
            #expect(second.wait(seconds: 30) == 2, "\(extra): \(second.stderr)")
            #expect(second.stderr.contains("pid \(first.pid)"), "\(extra): \(second.stderr)")
            #expect(second.stderr.contains("in use by another coordinator"))
        }
        #expect(FileManager.default.fileExists(atPath: db.path), "--fresh deleted a folder in use")
        #expect(try Data(contentsOf: db) == before)
        #expect(first.process.isRunning)

        // Read-only commands still work meanwhile.
        let status = try Child(Executables.coordinator, ["status", "twocoord", "--runs", folder.path], in: folder, name: "status")
        #expect(status.wait(seconds: 30) == 0)
        #expect(status.stdout.contains("2 trials"))

        // A SIGKILLed holder leaves no stale lock.
        first.signal(SIGKILL)
        _ = first.wait(seconds: 5)
        let third = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "2", "--runs", folder.path],
                              in: folder, name: "coordinator-3")
        #expect(third.wait(seconds: 90) == 0, "\(third.stderr.suffix(1500))")
        let store = try SweepStore(path: db.path)
        #expect(try store.allTrials().allSatisfy { $0.status == .done })
    }
}
