import Foundation
import SweepTestSupport
import Testing

/// When a real `worker run` leaves: at the sweep's end only if started for one sweep, at once on
/// an endpoint it can never reach.
@Suite(.serialized)
struct WorkerLifetimeTests {
    @Test(arguments: ["tcp://127.0.0.1:", "tcp://no-such-host.invalid:5555", "tcp://head", "inproc://coordinator"])
    func aMalformedOrUnresolvableEndpointExits2NamingIt(endpoint: String) throws {
        let folder = try temporaryFolder("badendpoint")
        defer { try? FileManager.default.removeItem(at: folder) }
        let worker = try Child(Executables.worker, ["run", "--connect", endpoint, "--exit-when-done",
                                                    "--state-dir", folder.appendingPathComponent("state").path],
                               in: folder, name: "worker")
        #expect(worker.wait(seconds: 30) == 2, "worker: \(worker.stderr.suffix(1000))")
        #expect(worker.stderr.contains("worker: coordinator endpoint \(endpoint.debugDescription)"), "\(worker.stderr.suffix(1000))")
    }

    @Test func aWorkerStartedForOneSweepExits0WhenItIsCompleteAndADaemonKeepsWaiting() throws {
        let folder = try temporaryFolder("exitwhendone")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = try SweepFiles.write(name: "exitwhendone", in: folder, grid: #"{"hidden_size": [16, 24]}"#, epochs: 1, hidden: nil)
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "0", "--listen", "tcp://127.0.0.1:*",
                                                      "--runs", folder.path], in: folder, name: "coordinator")
        defer { run.signal(SIGKILL); _ = run.wait(seconds: 5) }
        let endpoint = try #require(listeningEndpoint(of: run), "coordinator: \(run.stderr.suffix(2000))")
        let oneShot = try Child(Executables.worker, ["run", "--connect", endpoint, "--exit-when-done",
                                                     "--state-dir", folder.appendingPathComponent("one-shot").path],
                                in: folder, name: "one-shot")
        defer { oneShot.signal(SIGKILL); _ = oneShot.wait(seconds: 5) }
        let daemon = try Child(Executables.worker, ["run", "--connect", endpoint,
                                                    "--state-dir", folder.appendingPathComponent("daemon").path],
                               in: folder, name: "daemon")
        defer { daemon.signal(SIGKILL); _ = daemon.wait(seconds: 5) }
        #expect(run.wait(seconds: 120) == 0, "coordinator: \(run.stderr.suffix(2000))")
        #expect(oneShot.wait(seconds: 30) == 0, "one-shot worker: \(oneShot.stderr.suffix(2000))")
        #expect(oneShot.stderr.contains("coordinator said goodbye: sweep_complete"))
        // The daemon heard the same goodbye and went back to waiting for the next run.
        #expect(eventually(seconds: 30) { daemon.stderr.contains("coordinator said goodbye: sweep_complete") },
                "daemon: \(daemon.stderr.suffix(2000))")
        #expect(kill(daemon.pid, 0) == 0, "the daemon worker exited: \(daemon.stderr.suffix(2000))")
    }
}

/// `coordinator run --slurm` on a machine without SLURM's tools: a clear error before anything starts.
@Suite struct SlurmToolsMissingTests {
    @Test func missingSlurmToolsAreNamedAndExit2() throws {
        let folder = try temporaryFolder("noslurm")
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("empty-path")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let sweep = Repository.root.appendingPathComponent("sweeps/smoke.json")
        let run = try Child(Executables.coordinator, ["run", sweep.path, "--slurm", "2", "--runs", folder.path],
                            in: folder, name: "coordinator", environment: ["PATH": empty.path])
        #expect(run.wait(seconds: 60) == 2)
        #expect(run.stderr.contains("--slurm needs sbatch, squeue and scancel on PATH; missing: sbatch, squeue, scancel"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("runs/smoke").path), "a run folder was made")
    }
}
