import Foundation
import SweepProtocol
import SweepTestSupport
import TrialSpec

let hashA = String(repeating: "a1", count: 32)
let hashB = String(repeating: "0f", count: 32)
let leaseA = "9f2c0e4b7a1d3c5e8f0a2b4c6d8e0f12"
/// `TrialConfig.example()` as the JSON an ASSIGN carries.
let exampleConfigJSON: String = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return (try? encoder.encode(TrialConfig.example())).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
}()

let sampleMetrics = ResultMetrics(
    epochsRun: 3, bestEpoch: 3, bestValLoss: 1.7, trainLoss: 1.5, valLoss: 1.7, valAccuracy: 0.51, valPerplexity: 5.47,
    overfitPct: 13.3, trainingSeconds: 12.5, inferenceSecondsPer1000: 0.25, msPerChar: 0.25, sizeMB: 0.6,
    macsPerChar: 148_000, trainingFlops: 1e12, tokensPerSecond: 123_456.5, samples: ["ROMEO: ay\u{e9}", "b"],
    history: [EpochMetrics(epoch: 1, trainLoss: 2, trainAccuracy: 0.3, valLoss: 2.1, valAccuracy: 0.3, valPerplexity: 8.2, seconds: 4, tokensPerSecond: 1000)],
    message: nil)

/// At least one message of every command, with optional fields both present and absent, and one at
/// the edges of SPEC.md §1.1 (a 256-byte id, the largest count).
let sampleMessages: [Message] = [
    .hello(Hello(workerId: "w1", host: "node-3", cores: 2, build: "0.1.0+abc")),
    .hello(Hello(workerId: "w2", host: "h", cores: 64, build: "b", running: RunningTrial(trialId: "t-9f2c", attempt: 2, leaseId: leaseA, epoch: 7))),
    .hello(Hello(workerId: "w3", host: "h", cores: 2, build: "b", cpus: [2, 3], prefetch: 4)),
    .welcome(Welcome(coordinatorId: "coord-1", heartbeatInterval: 1)),
    .ready(Ready(slots: 1, assigned: 3)),
    .assign(Assign(trialId: "t-9f2c", trialNumber: 17, attempt: 1, leaseId: "lease-42", leaseSeconds: 30,
                   config: .example(),
                   seed: UInt64.max - 5, dataset: DatasetRef(name: "tinyshakespeare", sha256: hashA, bytes: 1_115_394)),
            checkpoint: nil),
    .assign(Assign(trialId: "t-1", trialNumber: 0, attempt: 3, leaseId: "l", leaseSeconds: 12.5, config: .example(cell: .gru, hiddenSize: 1, learningRate: 1e-9), seed: 0,
                   dataset: DatasetRef(name: "x", sha256: hashB, bytes: 0),
                   resumeCheckpoint: CheckpointRef(epoch: 4, sha256: hashB)),
            checkpoint: [0, 1, 2, 255]),
    .datasetRequest(DatasetRequest(sha256: hashA)),
    .dataset(sha256: hashA, bytes: Array("First Citizen:\n".utf8)),
    .dataset(sha256: hashB, bytes: []),
    .progress(ProgressReport(trialId: "t-1", attempt: 1, leaseId: leaseA, metrics: EpochMetrics(epoch: 3, trainLoss: 1.5, trainAccuracy: 0.51, valLoss: 1.7, valAccuracy: 0.51,
                             valPerplexity: 5.47, seconds: 12.25, tokensPerSecond: 123_456.5))),
    .progress(ProgressReport(trialId: String(repeating: "t", count: 256), attempt: 2_147_483_647, leaseId: "l",
                             metrics: EpochMetrics(epoch: 2_147_483_647, trainLoss: 0, trainAccuracy: 1, valLoss: -1, valAccuracy: 1, valPerplexity: 1e300,
                             seconds: 0.001, tokensPerSecond: .leastNonzeroMagnitude))),
    .batchProgress(BatchProgress(trialId: "t-1", attempt: 1, leaseId: leaseA, epoch: 2, batch: 120, batches: 400,
                                 tokens: 7_680_000, tokensPerSecond: 95_000.25)),
    .batchProgress(BatchProgress(trialId: String(repeating: "t", count: 256), attempt: 2_147_483_647, leaseId: "l",
                                 epoch: 2_147_483_647, batch: 2_147_483_647, batches: 2_147_483_647,
                                 tokens: 2_147_483_647, tokensPerSecond: 0)),
    .batchProgress(BatchProgress(trialId: "t-1", attempt: 1, leaseId: leaseA, epoch: 1, batch: 0, batches: 1,
                                 tokens: 0, tokensPerSecond: 0)),
    .batchProgress(BatchProgress(trialId: "t-1", attempt: 1, leaseId: leaseA, epoch: 1, batch: 3, batches: 9,
                                 tokens: 30, tokensPerSecond: 10, threads: 256)),
    .progress(ProgressReport(trialId: "t-1", attempt: 1, leaseId: leaseA, metrics: EpochMetrics(epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.5,
                             valPerplexity: 2.7, seconds: 1, tokensPerSecond: 1), threads: 2)),
    .threads(ThreadChange(trialId: "t-1", attempt: 1, leaseId: leaseA, threads: 2, cpus: [0, 1023])),
    .checkpoint(CheckpointUpload(trialId: "t-1", attempt: 1, leaseId: leaseA, epoch: 3, sha256: hashB, isBest: true, bytes: 5), bytes: [1, 2, 3, 4, 5]),
    .result(TrialResult(trialId: "t-1", attempt: 1, leaseId: leaseA, status: .completed, result: sampleMetrics)),
    .result(TrialResult(trialId: "t-1", attempt: 2, leaseId: leaseA, status: .diverged,
                        result: ResultMetrics(epochsRun: 1, message: "loss is nan at epoch 2"))),
    .resultAck(ResultAck(trialId: "t-1", attempt: 1, leaseId: leaseA)),
    .failed(Failed(trialId: "t-1", attempt: 2, leaseId: leaseA, failureClass: .diverged, message: "loss is NaN at epoch 2",
                   result: ResultMetrics(epochsRun: 1))),
    .failed(Failed(trialId: "t-1", attempt: 1, leaseId: leaseA, failureClass: .config, message: "hidden_size 0")),
    .failed(Failed(trialId: "t-1", attempt: 1, leaseId: leaseA, failureClass: .infra, message: "disk full", workerFault: true)),
    .stop(Stop(trialId: "t-1", attempt: 1, code: .superseded, reason: "attempt 2 won")),
    .stop(Stop(code: .shuttingDown)),
    .heartbeat,
    .bye(Bye(code: .shuttingDown, reason: "SIGTERM")),
    .bye(Bye(code: .unknownWorker)),
    .refused(Refused.versionMismatch(received: 1)),
    .refused(Refused(reason: "not accepting workers")),
]
