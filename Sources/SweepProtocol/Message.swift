/// One protocol message: its header and, for ASSIGN/DATASET/CHECKPOINT, the payload bytes.
public enum Message: Sendable, Hashable {
    case hello(Hello)
    case welcome(Welcome)
    case ready(Ready)
    /// `checkpoint` holds the safetensors bytes iff `resumeCheckpoint` is set.
    case assign(Assign, checkpoint: [UInt8]?)
    case datasetRequest(DatasetRequest)
    case dataset(DatasetTransfer, bytes: [UInt8])
    case progress(ProgressReport)
    case batchProgress(BatchProgress)
    case checkpoint(CheckpointUpload, bytes: [UInt8])
    case result(TrialResult)
    case resultAck(ResultAck)
    case failed(Failed)
    case stop(Stop)
    case heartbeat
    case bye(Bye)
    case refused(Refused)
    /// Elastic cores: the running attempt's new thread count.
    case threads(ThreadChange)

    public var command: Command {
        switch self {
        case .hello: .hello
        case .welcome: .welcome
        case .ready: .ready
        case .assign: .assign
        case .datasetRequest: .datasetRequest
        case .dataset: .dataset
        case .progress: .progress
        case .batchProgress: .batchProgress
        case .checkpoint: .checkpoint
        case .result: .result
        case .resultAck: .resultAck
        case .failed: .failed
        case .stop: .stop
        case .heartbeat: .heartbeat
        case .bye: .bye
        case .refused: .refused
        case .threads: .threads
        }
    }

    /// A DATASET message whose header matches `bytes`.
    public static func dataset(sha256: String, bytes: [UInt8]) -> Message {
        .dataset(DatasetTransfer(sha256: sha256, bytes: bytes.count), bytes: bytes)
    }
}
