import Foundation
import Logging
import SweepProtocol
import SweepWorker
import Testing
import ZeroMQ

/// The worker side of SPEC.md against a hand-driven ROUTER standing in for the coordinator: every
/// report quotes the lease of its ASSIGN, a STOP about an attempt deletes its outbox entry, and an
/// outbox entry of another protocol version is dropped instead of resent.
@Suite(.serialized) struct WorkerConformanceTests {
    final class FakeCoordinator {
        let context: Context
        let socket: Socket
        let endpoint: String
        let codec = Codec()
        var peer: [UInt8] = []

        init() throws {
            context = try Context()
            socket = try Socket(context, .router, options: [.linger(milliseconds: 0), .receiveTimeout(milliseconds: 50)])
            try socket.bind("tcp://127.0.0.1:*")
            endpoint = try socket.lastEndpoint()
        }

        deinit {
            socket.close()
            context.terminate()
        }

        func send(_ message: Message) throws { _ = try socket.send(codec.encode(message, to: peer)) }

        func send(frames: [[UInt8]]) throws { _ = try socket.send([peer] + frames) }

        /// The next message satisfying `predicate` (others are skipped). `raw` sees every message
        /// received, decodable or not (nil message), with its frames.
        func next(seconds: Double = 10, raw: ((Message?, [[UInt8]]) -> Void)? = nil,
                  _ predicate: (Message) -> Bool) -> Message? {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                guard let frames = try? socket.receive() else { continue }
                let decoded = try? codec.decode(routedFrames: frames)
                raw?(decoded?.message, frames)
                guard let (identity, message) = decoded else { continue }
                peer = identity
                if predicate(message) { return message }
            }
            return nil
        }
    }

    @Test func reportsQuoteTheLeaseAndAStopDeletesTheOutboxEntry() async throws {
        let fake = try FakeCoordinator()
        let fixture = try SweepFixture(epochs: 3)
        let outboxDir = fixture.stateDirectory("w").appendingPathComponent("outbox")
        // An unacknowledged RNS1 result left by an older worker build.
        try FileManager.default.createDirectory(at: outboxDir, withIntermediateDirectories: true)
        let old = #"{"trialID":"old","attempt":1,"frames":["\#(Data("RNS1".utf8).base64EncodedString())","\#(Data("RESULT".utf8).base64EncodedString())","\#(Data("{}".utf8).base64EncodedString())"]}"#
        try Data(old.utf8).write(to: outboxDir.appendingPathComponent("old.json"))

        let worker = try Self.startWorker(WorkerService(options: fixture.workerOptions("w", endpoint: fake.endpoint),
                                                        trainer: InstantTrainer(sendsCheckpoints: true), logger: Self.quietLogger))
        guard case .hello(let hello)? = fake.next({ if case .hello = $0 { true } else { false } }) else {
            Issue.record("no HELLO"); return
        }
        #expect(hello.protocolVersion == 2)
        var sawOldEntry = false
        try fake.send(.welcome(Welcome(coordinatorId: "fake", heartbeatInterval: 1)))
        _ = fake.next(raw: { _, frames in if frames.dropFirst().first == Array("RNS1".utf8) { sawOldEntry = true } }) {
            if case .ready = $0 { true } else { false }
        }
        #expect(!sawOldEntry)
        #expect(!FileManager.default.fileExists(atPath: outboxDir.appendingPathComponent("old.json").path))

        let lease = "0123456789abcdef0123456789abcdef"
        let trial = try await fixture.firstTrial()
        let assign = Assign(trialId: trial.id, trialNumber: 1, attempt: 3, leaseId: lease, leaseSeconds: 30,
                            config: trial.config, seed: 1,
                            dataset: DatasetRef(name: "text", sha256: fixture.datasetSHA256, bytes: 1800))
        try fake.send(.assign(assign, checkpoint: nil))
        // The worker asks for the dataset by hash first.
        if case .datasetRequest? = fake.next({ if case .datasetRequest = $0 { true } else { false } }) {
            try fake.send(.dataset(sha256: fixture.datasetSHA256, bytes: fixture.datasetBytes))
        }
        var claims: [(String, Int, String)] = []
        let result = fake.next(raw: { message, _ in
            switch message {
            case .progress(let p): claims.append((p.trialId, p.attempt, p.leaseId))
            case .checkpoint(let c, _): claims.append((c.trialId, c.attempt, c.leaseId))
            default: break
            }
        }) { if case .result = $0 { true } else { false } }
        guard case .result(let r)? = result else { Issue.record("no RESULT"); return }
        #expect(r.leaseId == lease && r.attempt == 3 && r.status == .completed && r.result.epochsRun == 3)
        #expect(claims.count == 6)
        #expect(claims.allSatisfy { $0.0 == trial.id && $0.1 == 3 && $0.2 == lease })
        #expect(FileManager.default.fileExists(atPath: outboxDir.appendingPathComponent("\(trial.id).json").path))
        // Not acknowledged but stopped: the coordinator will never record it, so the worker forgets it.
        try fake.send(.stop(Stop(trialId: trial.id, attempt: 3, code: .superseded)))
        try fake.send(.bye(Bye(code: .sweepComplete)))
        #expect(worker.wait(seconds: 10) == .done)
        #expect(!FileManager.default.fileExists(atPath: outboxDir.appendingPathComponent("\(trial.id).json").path))
    }

    @Test func anAssignWithAnUnreadableConfigIsAnsweredWithFailedConfigForItsLease() async throws {
        let fake = try FakeCoordinator()
        let fixture = try SweepFixture(epochs: 1)
        let trainer = InstantTrainer(sendsCheckpoints: false)
        let worker = try Self.startWorker(WorkerService(options: fixture.workerOptions("w", endpoint: fake.endpoint),
                                                        trainer: trainer, logger: Self.quietLogger))
        guard case .hello? = fake.next({ if case .hello = $0 { true } else { false } }) else {
            Issue.record("no HELLO"); return
        }
        try fake.send(.welcome(Welcome(coordinatorId: "fake", heartbeatInterval: 1)))
        _ = fake.next { if case .ready = $0 { true } else { false } }

        // A well-formed ASSIGN whose config has a section of the wrong type.
        let lease = "fedcba9876543210fedcba9876543210"
        let trial = try await fixture.firstTrial()
        let assign = Assign(trialId: trial.id, trialNumber: 1, attempt: 2, leaseId: lease, leaseSeconds: 30,
                            config: trial.config, seed: 1,
                            dataset: DatasetRef(name: "text", sha256: fixture.datasetSHA256, bytes: 1800))
        var frames = Codec().encode(.assign(assign, checkpoint: nil))
        let header = String(decoding: frames[2], as: UTF8.self)
        let broken = header.replacingOccurrences(of: #""model":{"#, with: #""model":7,"unused":{"#)
        #expect(broken != header)
        frames[2] = Array(broken.utf8)
        try fake.send(frames: frames)

        var trained = false
        let answer = fake.next(raw: { message, _ in if case .progress? = message { trained = true } }) {
            if case .failed = $0 { true } else { false }
        }
        guard case .failed(let failed)? = answer else { Issue.record("no FAILED"); return }
        #expect(failed.failureClass == .config && failed.trialId == trial.id && failed.attempt == 2 && failed.leaseId == lease)
        #expect(failed.message.contains("config"))
        #expect(!trained)
        try fake.send(.bye(Bye(code: .sweepComplete)))
        #expect(worker.wait(seconds: 10) == .done)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "worker")
        logger.logLevel = .warning
        return logger
    }

    /// Runs the worker's loop on a thread of its own; the result is its exit status.
    static func startWorker(_ worker: WorkerService) -> WorkerExitBox {
        let box = WorkerExitBox()
        let service = UncheckedSendable(worker)
        Thread { box.set(service.value.run()) }.start()
        return box
    }
}

/// Moves a non-Sendable service to the thread that owns it from then on.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A worker's exit status, set once by its thread and awaited with a timeout.
final class WorkerExitBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var exit: WorkerExit?

    func set(_ value: WorkerExit) {
        condition.lock(); exit = value; condition.broadcast(); condition.unlock()
    }

    func wait(seconds: Double) -> WorkerExit? {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock(); defer { condition.unlock() }
        while exit == nil, condition.wait(until: deadline) {}
        return exit
    }
}
