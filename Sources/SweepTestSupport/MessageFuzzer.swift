import Foundation
import SweepProtocol
import TrialSpec

/// Well-formed messages (valid frames and JSON) whose values are extreme: Int64.max/min, ±1e308,
/// NaN and infinities, empty and 1 MiB strings, unknown and real trial ids with guessed leases.
public struct MessageFuzzer {
    let trialIDs: [String]
    let datasetSHA: String
    let codec = Codec()
    let hugeString = String(repeating: "x", count: 1 << 20)
    var count = 0

    /// READY makes a peer eligible for real trials; a drill whose trials must all finish turns it off.
    let sendsReady: Bool

    public init(trialIDs: [String], datasetSHA: String, sendsReady: Bool = true) {
        self.trialIDs = trialIDs
        self.datasetSHA = datasetSHA
        self.sendsReady = sendsReady
    }

    static let ints = [Int.max, Int.min, 0, -1, 1, 2, 3, Int(Int32.max), Int(Int32.max) + 1]
    static let doubles = [1e308, -1e308, .nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, 1.5]
    static let rawNumbers = ["9223372036854775807", "-9223372036854775808", "1e300", "-1e308", "\"nan\"", "\"inf\"",
                             "18446744073709551616", "0.5", "-0", "1e-400"]

    /// The frames (magic, command, header[, payload]) of the next message, for a DEALER to send.
    public mutating func next(_ r: inout SplitMix64) -> [[UInt8]] {
        count += 1
        func pick<T>(_ values: [T]) -> T { values[Int(r.next() % UInt64(values.count))] }
        // A 1 MiB string in one message of 5,000.
        let n = count, huge = hugeString
        func text() -> String { n % 5_000 == 0 ? huge : ["", "x", "../../etc/passwd", "ü\u{0}ñ", "t-unknown"][n % 5] }
        let trial = r.next() % 2 == 0 ? pick(trialIDs) : text()
        let lease = r.next() % 2 == 0 ? String(format: "%016llx%016llx", r.next(), r.next()) : text()
        let int = pick(Self.ints), int2 = pick(Self.ints), double = pick(Self.doubles)
        let sha = r.next() % 4 == 0 ? datasetSHA : String(repeating: "ab", count: 32)
        let metrics = ResultMetrics(epochsRun: int, bestEpoch: int2, trainLoss: double, valLoss: pick(Self.doubles),
                                    samples: [text()], history: r.next() % 8 == 0 ? [EpochMetrics(epoch: int2, trainLoss: double, trainAccuracy: double,
                                    valLoss: double, valAccuracy: double, valPerplexity: double, seconds: double,
                                    tokensPerSecond: double)] : [])
        // HELLO and READY reach the store; keep them rare so the run stays short.
        let roll = r.next() % 1_000
        let message: Message
        switch roll {
        case 0..<4:
            message = .hello(Hello(workerId: text() + "\(count % 7)", host: text(), cores: int, build: text(),
                                   running: r.next() % 2 == 0 ? RunningTrial(trialId: trial, attempt: int, leaseId: lease, epoch: int2) : nil,
                                   cpus: r.next() % 2 == 0 ? nil : [int, int2]))
        case 4..<8: message = sendsReady ? .ready(Ready(slots: int)) : .heartbeat
        case 8..<60:
            // Raw headers with numbers no typed struct can hold.
            return [Codec.magic, Array("RESULT".utf8), Array("""
                {"trial_id":"\(pick(trialIDs))","attempt":\(pick(Self.rawNumbers)),"lease_id":"\(lease.prefix(40))","status":"completed",
                 "result":{"epochs_run":\(pick(Self.rawNumbers)),"val_loss":\(pick(Self.rawNumbers)),"parameters":\(pick(Self.rawNumbers))}}
                """.utf8)]
        default:
            switch r.next() % 16 {
            case 0: message = .welcome(Welcome(coordinatorId: text(), heartbeatInterval: double))
            case 1: message = .assign(Assign(trialId: trial, trialNumber: int, attempt: int2, leaseId: lease, leaseSeconds: double,
                                             config: .example(learningRate: double), seed: r.next(),
                                             dataset: DatasetRef(name: text(), sha256: sha, bytes: int)), checkpoint: nil)
            case 2: message = .datasetRequest(DatasetRequest(sha256: sha))
            case 3: message = .dataset(DatasetTransfer(sha256: sha, bytes: 1), bytes: [7])
            case 4: message = .progress(ProgressReport(trialId: trial, attempt: int, leaseId: lease, metrics: EpochMetrics(epoch: int2, trainLoss: double, trainAccuracy: double,
                                                       valLoss: double, valAccuracy: double, valPerplexity: double,
                                                       seconds: double, tokensPerSecond: double)))
            case 5:
                let bytes: [UInt8] = [1, 2, 3]
                message = .checkpoint(CheckpointUpload(trialId: trial, attempt: int, leaseId: lease, epoch: int2, sha256: sha,
                                                       isBest: r.next() % 2 == 0, bytes: bytes.count), bytes: bytes)
            case 6: message = .result(SweepProtocol.TrialResult(trialId: trial, attempt: int, leaseId: lease,
                                                                status: r.next() % 2 == 0 ? .completed : .diverged, result: metrics))
            case 7: message = .resultAck(ResultAck(trialId: trial, attempt: int, leaseId: lease))
            case 8: message = .failed(Failed(trialId: trial, attempt: int, leaseId: lease, failureClass: pick(FailureClass.allCases),
                                             message: text(), result: r.next() % 2 == 0 ? metrics : nil))
            case 9: message = .stop(Stop(trialId: trial, attempt: int, code: pick(StopCode.allCases), reason: text()))
            case 10: message = .heartbeat
            case 11: message = .refused(Refused(reason: text(), receivedVersion: int, supportedVersion: int2))
            case 12: message = .bye(Bye(code: .unknownWorker, reason: text()))   // BYE with a code a worker never sends
            case 13: message = .batchProgress(BatchProgress(trialId: trial, attempt: int, leaseId: lease, epoch: int2, batch: int,
                                                            batches: int2, tokens: int, tokensPerSecond: double,
                                                            threads: r.next() % 2 == 0 ? int : nil))
            case 14: message = .threads(ThreadChange(trialId: trial, attempt: int, leaseId: lease, threads: int2,
                                                     cpus: r.next() % 2 == 0 ? [] : [int, int2]))
            default: message = .progress(ProgressReport(trialId: pick(trialIDs), attempt: 1, leaseId: lease, metrics: EpochMetrics(epoch: 1,
                                                        trainLoss: 1, trainAccuracy: 0, valLoss: 1, valAccuracy: 0, valPerplexity: 1,
                                                        seconds: 1, tokensPerSecond: 1)))
            }
        }
        return codec.encode(message)
    }
}
