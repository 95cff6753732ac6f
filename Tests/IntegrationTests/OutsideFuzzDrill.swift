import Foundation
import GRDB
import SweepProtocol
import SweepStore
import SweepTestSupport
import SystemSupport
import Testing
import TrialSpec
import ZeroMQ

/// A real coordinator process runs a small sweep with two real worker processes while this test
/// process, from outside, floods it through its own DEALER sockets with over 100,000 malformed and
/// hostile-but-well-formed messages. The sweep must complete exactly as without the fuzz.
@Suite(.serialized)
struct OutsideFuzzDrill {
    static let messages = 100_000
    static let sockets = 4
    /// Fuzz messages per socket between two probes.
    static let batch = 0..<500

    @Test func aSweepUnderOutsideFuzzCompletesWithEveryResultFromARealWorker() throws {
        let started = Date()
        let folder = try temporaryFolder("outside-fuzz")
        defer { if ProcessInfo.processInfo.environment["KEEP"] == nil { try? FileManager.default.removeItem(at: folder) } }
        let sweep = try SweepFiles.write(name: "fuzzed", in: folder, grid: #"{"hidden_size": [64, 96, 128, 160]}"#,
                                         epochs: 10, batches: 80, hidden: nil, sequence: 32, batchSize: 16)
        let coordinator = try Child(Executables.coordinator, ["run", sweep.path, "--workers", "0", "--runs", folder.path,
                                                              "--listen", "tcp://127.0.0.1:*"],
                                    in: folder, name: "coordinator")
        defer { if coordinator.process.isRunning { coordinator.signal(SIGKILL); _ = coordinator.wait(seconds: 5) } }
        let endpoint = try #require(listeningEndpoint(of: coordinator), "coordinator: \(coordinator.stderr.suffix(2000))")
        let store = try SweepStore(path: folder.appendingPathComponent("runs/fuzzed/sweep.db").path)
        let trialIDs = try store.allTrials().map(\.trialID)
        #expect(trialIDs.count == 4)
        let datasetSHA = SHA256Hex.digest(try Data(contentsOf: URL(fileURLWithPath: Repository.dataDirectory + "/timemachine.txt")))

        let workers = try (0..<2).map { i in
            try Child(Executables.worker, ["run", "--connect", endpoint, "--state-dir", folder.appendingPathComponent("w\(i)").path],
                      in: folder, name: "worker-\(i)")
        }
        defer { for w in workers { w.signal(SIGKILL); _ = w.wait(seconds: 5) } }

        // The fuzz: several identities; each greets before its probes, so its reports reach the lease checks.
        let context = try Context()
        defer { context.terminate() }
        let peers = try (0..<Self.sockets).map { i in
            let socket = try Socket(context, .dealer, options: [.identity(Array("fuzz-\(i)".utf8)), .linger(milliseconds: 0),
                                                                .sendHighWaterMark(2_000), .receiveHighWaterMark(100_000)])
            try socket.connect(endpoint)
            return socket
        }
        defer { for p in peers { p.close() } }
        let codec = Codec()
        var hostile = MessageFuzzer(trialIDs: trialIDs, datasetSHA: datasetSHA, sendsReady: false)
        var malformed = MalformedFrames(trialIDs: trialIDs)
        var random = SplitMix64(seed: 0x0D_F022)
        // Sent, and confirmed handled by a live coordinator: after each batch every socket greets and
        // asks about a trial that does not exist; the STOP naming it comes back only once every
        // earlier message of that socket was handled (a peer's messages are handled in order).
        var sent = 0, confirmed = 0, round = 0
        var stalled = false
        var leaseRejections = 0
        fuzzing: while coordinator.process.isRunning {
            var probes: [String] = []
            for (i, peer) in peers.enumerated() {
                var batch = Self.batch.map { _ in random.next() % 2 == 0 ? hostile.next(&random) : malformed.next(&random) }
                let probe = "probe-\(round)-\(i)"
                batch.append(codec.encode(.hello(Hello(workerId: "fuzz-probe-\(i)", host: "fuzz", cores: 1, build: "fuzz"))))
                batch.append(codec.encode(.progress(ProgressReport(trialId: probe, attempt: 1, leaseId: "00", metrics: EpochMetrics(epoch: 1, trainLoss: 1, trainAccuracy: 0,
                                                                   valLoss: 1, valAccuracy: 0, valPerplexity: 1, seconds: 1,
                                                                   tokensPerSecond: 1)))))
                for frames in batch {
                    // A full queue means the coordinator is behind: wait for it instead of piling up.
                    while (try? peer.send(frames, dontWait: true)) != true {
                        guard coordinator.process.isRunning else { break fuzzing }
                        usleep(500)
                    }
                    sent += 1
                }
                probes.append(probe)
            }
            for (i, peer) in peers.enumerated() {
                let deadline = Date().addingTimeInterval(15)
                var answered = false
                while !answered, Date() < deadline, coordinator.process.isRunning {
                    guard let frames = try? peer.receive(dontWait: true) else { usleep(500); continue }
                    guard case .stop(let stop)? = try? codec.decode(frames: frames) else { continue }
                    if stop.trialId == probes[i] { answered = true }
                    if stop.code == .notLeaseHolder, let trial = stop.trialId, trialIDs.contains(trial) { leaseRejections += 1 }
                }
                guard answered else {
                    stalled = coordinator.process.isRunning
                    break fuzzing
                }
                confirmed += Self.batch.count + 2
            }
            round += 1
        }
        let fuzzSeconds = Date().timeIntervalSince(started)
        #expect(!stalled, "the coordinator stopped answering during the fuzz")
        #expect(leaseRejections > 0, "no forged report about a real trial reached the lease checks")
        #expect(confirmed >= Self.messages, "only \(confirmed) of \(sent) messages were handled before the sweep ended (\(Int(fuzzSeconds)) s)")

        let status = coordinator.wait(seconds: 120)
        #expect(status == 0, "coordinator: \(coordinator.stderr.suffix(3000))")
        #expect(coordinator.process.terminationReason == .exit, "the coordinator died of a signal")
        print("outside fuzz: \(sent) messages sent, \(confirmed) confirmed handled during the sweep, in \(Int(fuzzSeconds)) s")
        #expect(coordinator.stderr.components(separatedBy: "coordinator listening on").count == 2, "it started once")

        let trials = try store.allTrials()
        #expect(trials.count == 4 && trials.allSatisfy { $0.status == .done })
        let db = try DatabaseQueue(path: folder.appendingPathComponent("runs/fuzzed/sweep.db").path)
        try db.read { db in
            let results = try Row.fetchAll(db, sql: "SELECT trial_id, attempt, worker_id FROM results")
            #expect(results.count == 4)
            #expect(Set(results.map { $0["trial_id"] as String }) == Set(trialIDs), "exactly one result per trial")
            let fuzzed = "fuzz%"
            let fuzzResults = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results WHERE worker_id LIKE ?", arguments: [fuzzed])
            let fuzzAttempts = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attempts WHERE worker_id LIKE ?", arguments: [fuzzed])
            #expect(fuzzResults == 0 && fuzzAttempts == 0)
            // Epochs and checkpoints belong to attempts, and every attempt was a real worker's.
            let orphanEpochs = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM epochs e WHERE NOT EXISTS (SELECT 1 FROM attempts a WHERE a.trial_id = e.trial_id
                AND a.attempt = e.attempt AND a.worker_id NOT LIKE ?)
                """, arguments: [fuzzed])
            #expect(orphanEpochs == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM epochs") ?? 0 >= 4 * 3)
            let checkpointPaths = try String.fetchAll(db, sql: "SELECT path FROM checkpoints")
            let realAttempts = try Row.fetchAll(db, sql: "SELECT trial_id, attempt FROM attempts").map {
                "\($0["trial_id"] as String)/\($0["attempt"] as Int)"
            }
            #expect(!checkpointPaths.isEmpty)
            for path in checkpointPaths {
                // checkpoints/<trial>/epoch-<E>-attempt-<A>.safetensors
                let parts = path.split(separator: "/")
                let name = parts.last?.split(whereSeparator: { $0 == "-" || $0 == "." }) ?? []
                let trial = parts.count >= 2 ? String(parts[parts.count - 2]) : ""
                #expect(name.count == 5 && realAttempts.contains("\(trial)/\(name[3])"), "checkpoint \(path) is no real attempt's")
            }
        }
    }
}

/// Frames no RNS2 decoder may accept: random bytes, wrong frame counts, bad magic, broken or odd
/// JSON headers, unknown commands, payload sizes that lie, and (rarely) oversized headers.
struct MalformedFrames {
    let trialIDs: [String]
    var count = 0
    let magic = Array("RNS2".utf8)

    mutating func next(_ r: inout SplitMix64) -> [[UInt8]] {
        count += 1
        func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: r.next()) } }
        func pick<T>(_ values: [T]) -> T { values[Int(r.next() % UInt64(values.count))] }
        let command = Array(pick(["PROGRESS", "RESULT", "CHECKPOINT", "HELLO", "HEARTBEAT", "DATASET_REQUEST", "BYE"]).utf8)
        if count % 20_000 == 0 { return [magic, command, Array(repeating: UInt8(ascii: " "), count: 5 << 20)] }
        switch r.next() % 8 {
        case 0:
            return (0..<(1 + Int(r.next() % 7))).map { _ in bytes(Int(r.next() % 64)) }
        case 1:
            return pick([[magic], [magic, command], [magic, command, Array("{}".utf8), [], [], []], [[]]])
        case 2:
            return [pick([Array("RNSX".utf8), Array("RNS2\u{0}".utf8), [], Array("rns2".utf8), Array("RNS99999999999999999999".utf8)]),
                    command, Array("{}".utf8)]
        case 3:
            let trial = pick(trialIDs)
            return [magic, command, Array(pick(["{\"trial_id\":\"\(trial)\",", "[1,2", "{\"a\":1}}", "nul", "{\"trial_id\":\"\(trial)\" \"attempt\":1}"]).utf8)]
        case 4:
            return [magic, Array(pick(["LAUNCH", "", "progress", "RESULT\u{0}", "HELLO HELLO"]).utf8), Array("{}".utf8)]
        case 5:
            let depth = count % 100 == 0 ? 10_000 : 64
            return [magic, command, Array(pick(["[]", "17", "null", "\"RESULT\"", String(repeating: "[", count: depth) + String(repeating: "]", count: depth),
                                                "{\"trial_id\":\"\(pick(trialIDs))\",\"trial_id\":\"x\",\"attempt\":1,\"lease_id\":\"00\"}"]).utf8)]
        case 6:
            return [magic, command, [0xff, 0xfe, 0x7b, 0x7d] + bytes(Int(r.next() % 32))]
        default:
            // A CHECKPOINT whose payload is not the size it declares, or a payload where none is allowed.
            let trial = pick(trialIDs)
            return pick([
                [magic, Array("CHECKPOINT".utf8), Array(#"{"trial_id":"\#(trial)","attempt":1,"lease_id":"00","epoch":1,"sha256":"\#(String(repeating: "0", count: 64))","is_best":true,"bytes":10}"#.utf8), bytes(3)],
                [magic, Array("HEARTBEAT".utf8), Array("{}".utf8), bytes(16)],
            ])
        }
    }
}
