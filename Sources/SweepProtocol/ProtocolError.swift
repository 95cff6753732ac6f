/// Why a frame list is not a valid message (SPEC.md §7). Receivers log it and drop the message.
public enum ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Fewer or more frames than the command allows.
    case wrongFrameCount(command: String?, count: Int, expected: String)
    /// A routed message (ROUTER side) with no frames at all, or an empty identity.
    case missingIdentity
    /// The first frame is not `RNS<version>`.
    case badMagic(String)
    /// The peer speaks another protocol version.
    case unsupportedVersion(received: Int, supported: Int)
    case unknownCommand(String)
    /// The header is not UTF-8 JSON, or not an object.
    case badJSON(command: Command, reason: String)
    case missingField(command: Command, field: String)
    /// A field has the wrong type or an out-of-range value.
    case invalidField(command: Command, field: String, reason: String)
    case oversizeHeader(command: Command, bytes: Int, limit: Int)
    case oversizePayload(command: Command, bytes: Int, limit: Int)
    /// A payload on a command that allows none (or ASSIGN without `resume_checkpoint`).
    case unexpectedPayload(command: Command)
    case missingPayload(command: Command)
    /// The payload's size differs from the header's `bytes`.
    case payloadSizeMismatch(command: Command, declared: Int, actual: Int)
    /// An ASSIGN whose lease is readable but whose `config` is not a trial config.
    case unreadableConfig(lease: AssignedLease, reason: String)

    public var description: String {
        switch self {
        case let .wrongFrameCount(command, count, expected):
            "\(command ?? "message") has \(count) frames, expected \(expected)"
        case .missingIdentity: "routed message has no identity frame"
        case let .badMagic(text): "first frame is \(text.debugDescription), expected \"RNS\(protocolVersion)\""
        case let .unsupportedVersion(received, supported):
            "protocol version \(received) is not supported; this side speaks version \(supported)"
        case let .unknownCommand(name): "unknown command \(name.debugDescription)"
        case let .badJSON(command, reason): "\(command.rawValue) header is not a JSON object: \(reason)"
        case let .missingField(command, field): "\(command.rawValue) header lacks field \"\(field)\""
        case let .invalidField(command, field, reason): "\(command.rawValue) field \"\(field)\": \(reason)"
        case let .oversizeHeader(command, bytes, limit): "\(command.rawValue) header is \(bytes) bytes, limit \(limit)"
        case let .oversizePayload(command, bytes, limit): "\(command.rawValue) payload is \(bytes) bytes, limit \(limit)"
        case let .unexpectedPayload(command): "\(command.rawValue) carries a payload it does not allow"
        case let .missingPayload(command): "\(command.rawValue) lacks its payload"
        case let .payloadSizeMismatch(command, declared, actual):
            "\(command.rawValue) declares \(declared) payload bytes but carries \(actual)"
        case let .unreadableConfig(lease, reason):
            "ASSIGN of trial \(lease.trialId) attempt \(lease.attempt) has an unreadable config: \(reason)"
        }
    }
}

extension ProtocolError {
    /// The header field a missing or invalid field error names.
    var field: String? {
        switch self {
        case let .missingField(_, field), let .invalidField(_, field, _): field
        default: nil
        }
    }
}
