import Foundation
import SweepCore
import SystemSupport
import SweepProtocol
import TrialSpec
import ZeroMQ

/// A worker driven by hand over a real DEALER socket: it speaks the codec and says exactly what a
/// test tells it to, which makes it the hostile or the well-behaved peer of conformance tests.
final class RawPeer {
    let context: Context
    let socket: Socket
    let codec = Codec()
    /// Everything received so far, in order.
    private(set) var received: [Message] = []
    private var lastSent = 0.0

    /// With `curve`, a CURVE client of a coordinator whose public key is `server`, holding `keys`.
    init(_ endpoint: String, identity: String, curve: (server: String, keys: CurveKeyPair)? = nil) throws {
        context = try Context()
        var options: [SocketOption] = [.identity(Array(identity.utf8)), .linger(milliseconds: 0),
                                       .receiveTimeout(milliseconds: 50), .receiveHighWaterMark(100_000)]
        if let curve {
            options.append(.curveClient(serverPublicKey: curve.server, publicKey: curve.keys.publicKey,
                                        secretKey: curve.keys.secretKey))
        }
        socket = try Socket(context, .dealer, options: options)
        try socket.connect(endpoint)
    }

    deinit {
        socket.close()
        context.terminate()
    }

    func send(_ message: Message) throws { try sendRaw(codec.encode(message)) }

    func sendRaw(_ frames: [[UInt8]]) throws {
        _ = try socket.send(frames)
        lastSent = Date().timeIntervalSince1970
    }

    /// Sends a header written by hand (fields the typed structs cannot express).
    func sendRaw(_ command: String, _ header: String, magic: String = "RNS\(protocolVersion)") throws {
        try sendRaw([Array(magic.utf8), Array(command.utf8), Array(header.utf8)])
    }

    /// Receives until a message satisfying `predicate` arrives; heartbeats meanwhile (unless told
    /// not to) so the coordinator keeps this peer alive. Nil after `seconds`.
    func waitFor(seconds: Double = 10, heartbeat: Bool = true, _ predicate: (Message) -> Bool) -> Message? {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if heartbeat, Date().timeIntervalSince1970 - lastSent > 0.2 { try? send(.heartbeat) }
            guard let frames = try? socket.receive(), let message = try? codec.decode(frames: frames) else { continue }
            received.append(message)
            if predicate(message) { return message }
        }
        return nil
    }

    /// Raw frames of the next message, whatever its version (for refusals).
    func receiveFrames(seconds: Double = 10) -> [[UInt8]]? {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if let frames = try? socket.receive() { return frames }
        }
        return nil
    }

    /// HELLO, then waits for WELCOME.
    @discardableResult
    func greet(name: String, running: RunningTrial? = nil, seconds: Double = 10) throws -> Bool {
        try send(.hello(Hello(workerId: name, host: "raw", cores: 1, build: "raw", running: running)))
        return waitFor(seconds: seconds) { if case .welcome = $0 { true } else { false } } != nil
    }

    /// Reads and discards whatever has arrived.
    func drain() {
        while let frames = try? socket.receive(dontWait: true) { _ = frames }
    }

    /// READY, then waits for an ASSIGN.
    func takeTrial(seconds: Double = 10) throws -> Assign? {
        try send(.ready(Ready()))
        return waitForAssign(seconds: seconds)
    }

    func waitForAssign(seconds: Double = 10) -> Assign? {
        if case .assign(let assign, _)? = waitFor(seconds: seconds, { if case .assign = $0 { true } else { false } }) { return assign }
        return nil
    }

    /// Waits for STOP about `trialID`; returns its code.
    func waitForStop(_ trialID: String, seconds: Double = 10) -> StopCode? {
        if case .stop(let stop)? = waitFor(seconds: seconds, { if case .stop(let s) = $0, s.trialId == trialID { true } else { false } }) {
            return stop.code
        }
        return nil
    }

    /// Waits for RESULT_ACK of that attempt.
    func waitForAck(_ trialID: String, attempt: Int, seconds: Double = 10) -> Bool {
        waitFor(seconds: seconds) {
            if case .resultAck(let ack) = $0, ack.trialId == trialID, ack.attempt == attempt { true } else { false }
        } != nil
    }

    /// Whether any RESULT_ACK for the trial has arrived.
    func gotAck(_ trialID: String) -> Bool {
        received.contains { if case .resultAck(let ack) = $0, ack.trialId == trialID { true } else { false } }
    }
}

/// Messages a raw peer sends about an assignment.
extension Assign {
    func progress(epoch: Int, loss: Double = 2.0) -> Message {
        .progress(ProgressReport(trialId: trialId, attempt: attempt, leaseId: leaseId, metrics: EpochMetrics(epoch: epoch, trainLoss: loss, trainAccuracy: 0.3,
                                 valLoss: loss + 0.1, valAccuracy: 0.3, valPerplexity: exp(loss + 0.1), seconds: 0.1,
                                 tokensPerSecond: 1000)))
    }

    func checkpoint(epoch: Int, bytes: [UInt8]) -> Message {
        .checkpoint(CheckpointUpload(trialId: trialId, attempt: attempt, leaseId: leaseId, epoch: epoch,
                                     sha256: SHA256Hex.digest(bytes), isBest: true, bytes: bytes.count), bytes: bytes)
    }

    func result(_ status: ResultStatus = .completed, valLoss: Double = 1.5, epochs: Int, history: [EpochMetrics] = [],
                attempt: Int? = nil, leaseId: String? = nil) -> Message {
        .result(TrialResult(trialId: trialId, attempt: attempt ?? self.attempt, leaseId: leaseId ?? self.leaseId, status: status,
                            result: ResultMetrics(epochsRun: epochs, bestEpoch: epochs, trainLoss: 1.4, valLoss: valLoss,
                                                  samples: ["the \(trialId)"], history: history)))
    }
}
