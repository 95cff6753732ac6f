import Foundation
import SystemSupport
import Testing

/// `coordinator plan --write-trials`: trial files `worker train` can run, for registry and path datasets.
@Suite struct PlanCommandTests {
    @Test func trialFilesOfAPathDatasetNameItsHash() throws {
        let folder = try temporaryFolder("plan-path")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = Repository.root.appendingPathComponent("sweeps/seed004-p1.json")
        let trials = folder.appendingPathComponent("trials")
        let plan = try Child(Executables.coordinator, ["plan", sweep.path, "--write-trials", trials.path, "--gflops", "1"],
                             in: folder, name: "plan")
        #expect(plan.wait(seconds: 120) == 0, "plan: \(plan.stderr.suffix(2000))")
        let text = Repository.root.appendingPathComponent("sweeps/texts/nextchar-jhaywoo6.txt")
        let expected = try SHA256Hex.digest(ofFileAt: text).sha256
        let files = try FileManager.default.contentsOfDirectory(atPath: trials.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 9)
        for name in files {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: trials.appendingPathComponent(name)))
            let dataset = ((object as? [String: Any])?["config"] as? [String: Any])?["dataset"] as? [String: Any]
            #expect(dataset?["sha256"] as? String == expected, "\(name)")
        }
    }

    @Test func trialFilesOfAMissingDatasetAreRefusedNamingIt() throws {
        let folder = try temporaryFolder("plan-missing")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = folder.appendingPathComponent("missing.json")
        try Data("""
            {"name": "missing", "dataset": {"path": "no-such-text.txt"}, "grid": {"hidden_size": [8]}}
            """.utf8).write(to: sweep)
        let plan = try Child(Executables.coordinator, ["plan", sweep.path, "--write-trials", folder.appendingPathComponent("t").path,
                                                       "--gflops", "1"], in: folder, name: "plan")
        #expect(plan.wait(seconds: 120) == 2)
        #expect(plan.stderr.contains("missing.json: dataset:"), "\(plan.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("t").path))
        // Without --write-trials the plan still prints, with the dataset's registry size assumed.
        let print = try Child(Executables.coordinator, ["plan", sweep.path, "--gflops", "1"], in: folder, name: "print")
        #expect(print.wait(seconds: 120) == 0, "plan: \(print.stderr.suffix(2000))")
        #expect(print.stdout.split(separator: "\n").count >= 2)
    }
}
