/// The command frame of a message (SPEC.md §3).
public enum Command: String, Sendable, Hashable, CaseIterable, Codable {
    case hello = "HELLO"
    case welcome = "WELCOME"
    case ready = "READY"
    case assign = "ASSIGN"
    case datasetRequest = "DATASET_REQUEST"
    case dataset = "DATASET"
    case progress = "PROGRESS"
    case batchProgress = "BATCH_PROGRESS"
    case checkpoint = "CHECKPOINT"
    case result = "RESULT"
    case resultAck = "RESULT_ACK"
    case failed = "FAILED"
    case stop = "STOP"
    case heartbeat = "HEARTBEAT"
    case bye = "BYE"
    case refused = "REFUSED"
    case threads = "THREADS"

    /// Whether a payload frame may follow the header.
    public var payloadRule: PayloadRule {
        switch self {
        case .assign: .optional
        case .dataset, .checkpoint: .required
        default: .none
        }
    }

    public enum PayloadRule: Sendable { case none, optional, required }
}

/// The protocol version this code speaks; the magic frame is `"RNS" + version`.
public let protocolVersion = 2
