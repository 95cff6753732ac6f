import Foundation

/// Encodes messages to frame lists and decodes frame lists to messages (SPEC.md §1).
/// Decoding never traps: every malformed input is a `ProtocolError`.
public struct Codec: Sendable {
    public struct Limits: Sendable, Hashable {
        public var maxHeaderBytes: Int
        public var maxPayloadBytes: Int
        public init(maxHeaderBytes: Int = 4 << 20, maxPayloadBytes: Int = 1 << 30) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxPayloadBytes = maxPayloadBytes
        }
    }

    public var limits: Limits
    public init(limits: Limits = Limits()) { self.limits = limits }

    /// The magic frame, `RNS2`.
    public static let magic: [UInt8] = Array("RNS\(protocolVersion)".utf8)

    // MARK: Encoding

    /// Frames as a DEALER sends them: `[magic] [command] [header] [payload]?`.
    public func encode(_ message: Message) -> [[UInt8]] {
        frames(message.command, header(of: message), message.payload)
    }

    private func frames(_ command: Command, _ header: [UInt8], _ payload: [UInt8]?) -> [[UInt8]] {
        var frames = [Codec.magic, Array(command.rawValue.utf8), header]
        if let payload { frames.append(payload) }
        return frames
    }

    /// Frames as a ROUTER sends them to `identity`: `[identity] [magic] [command] [header] [payload]?`.
    public func encode(_ message: Message, to identity: [UInt8]) -> [[UInt8]] {
        [identity] + encode(message)
    }

    /// An ASSIGN as a ROUTER sends it, with its config already encoded: `configJSON` is
    /// `assign.config` as a JSON object (the text the coordinator's store keeps for the trial). The
    /// rest of the header is encoded and the config spliced in, so assigning a trial does not pay
    /// for encoding its config once more; the receiver reads the same header either way.
    public func encode(_ assign: Assign, configJSON: [UInt8], checkpoint: [UInt8]?, to identity: [UInt8]) -> [[UInt8]] {
        // The rest is an object with at least the lease's keys: `{"attempt":...}`.
        let rest = json(AssignWithoutConfig(assign: assign))
        var header: [UInt8] = []
        header.reserveCapacity(rest.count + configJSON.count + 10)
        header += Array(#"{"config":"#.utf8)
        header += configJSON
        header.append(UInt8(ascii: ","))
        header += rest.dropFirst()
        return [identity] + frames(.assign, header, checkpoint)
    }

    /// REFUSED for a peer that spoke another version, under the magic frame the peer sent so it can
    /// read it: REFUSED's header is the same in every version (SPEC.md §2). A magic that is not
    /// `RNS<digits>` is answered with ours.
    public func encodeRefusal(_ refused: Refused, to identity: [UInt8], peerMagic: [UInt8]) -> [[UInt8]] {
        var frames = encode(.refused(refused), to: identity)
        let digits = peerMagic.dropFirst(3)
        if peerMagic.starts(with: Array("RNS".utf8)), (1...9).contains(digits.count),
           digits.allSatisfy({ (48...57).contains($0) }) {
            frames[1] = peerMagic
        }
        return frames
    }

    private func header(of message: Message) -> [UInt8] {
        switch message {
        case .hello(let h): json(h)
        case .welcome(let h): json(h)
        case .ready(let h): json(h)
        case .assign(let h, _): json(h)
        case .datasetRequest(let h): json(h)
        case .dataset(let h, _): json(h)
        case .progress(let h): json(h)
        case .batchProgress(let h): json(h)
        case .checkpoint(let h, _): json(h)
        case .result(let h): json(h)
        case .resultAck(let h): json(h)
        case .failed(let h): json(h)
        case .stop(let h): json(h)
        case .heartbeat: json(Empty())
        case .bye(let h): json(h)
        case .refused(let h): json(h)
        case .threads(let h): json(h)
        }
    }

    private struct AssignWithoutConfig: Encodable {
        let assign: Assign
        func encode(to encoder: any Encoder) throws { try assign.encode(to: encoder, withConfig: false) }
    }

    private func json<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return Array(try encoder.encode(value))
        } catch {
            // Headers hold only strings, integers and (string-encoded when non-finite) doubles.
            preconditionFailure("encoding a \(T.self) header cannot fail: \(error)")
        }
    }

    // MARK: Decoding

    /// Decodes frames received on a DEALER: `[magic] [command] [header] [payload]?`.
    public func decode(frames: [[UInt8]]) throws(ProtocolError) -> Message {
        guard let first = frames.first else { throw .wrongFrameCount(command: nil, count: 0, expected: "3 or 4") }
        try checkMagic(first)
        guard frames.count >= 2 else { throw .wrongFrameCount(command: nil, count: frames.count, expected: "3 or 4") }
        let commandName = String(decoding: frames[1].prefix(64), as: UTF8.self)
        guard frames[1].count <= 64, let command = Command(rawValue: commandName) else {
            throw .unknownCommand(commandName)
        }
        guard (3...4).contains(frames.count) else {
            throw .wrongFrameCount(command: command.rawValue, count: frames.count, expected: expectedCount(command))
        }
        let payload = frames.count == 4 ? frames[3] : nil
        switch (command.payloadRule, payload) {
        case (.none, .some): throw .unexpectedPayload(command: command)
        case (.required, .none): throw .missingPayload(command: command)
        default: break
        }
        if frames[2].count > limits.maxHeaderBytes {
            throw .oversizeHeader(command: command, bytes: frames[2].count, limit: limits.maxHeaderBytes)
        }
        if let payload, payload.count > limits.maxPayloadBytes {
            throw .oversizePayload(command: command, bytes: payload.count, limit: limits.maxPayloadBytes)
        }
        let message = try decodeHeader(command, frames[2], payload)
        try message.validate()
        return message
    }

    /// Decodes frames received on a ROUTER: `[identity] [magic] [command] [header] [payload]?`.
    /// On error the identity is still `frames.first` (e.g. to send REFUSED).
    public func decode(routedFrames frames: [[UInt8]]) throws(ProtocolError) -> (identity: [UInt8], message: Message) {
        guard let identity = frames.first, !identity.isEmpty else { throw .missingIdentity }
        return (identity, try decode(frames: Array(frames.dropFirst())))
    }

    public func decode(frames: [Data]) throws(ProtocolError) -> Message {
        try decode(frames: frames.map { [UInt8]($0) })
    }

    public func decode(routedFrames frames: [Data]) throws(ProtocolError) -> (identity: [UInt8], message: Message) {
        try decode(routedFrames: frames.map { [UInt8]($0) })
    }

    private func checkMagic(_ frame: [UInt8]) throws(ProtocolError) {
        if frame == Codec.magic { return }
        let prefix = Array("RNS".utf8)
        let digits = frame.dropFirst(3)
        if frame.starts(with: prefix), (1...9).contains(digits.count), digits.first != UInt8(ascii: "0"),
           digits.allSatisfy({ (48...57).contains($0) }), let version = Int(String(decoding: digits, as: UTF8.self)) {
            throw .unsupportedVersion(received: version, supported: protocolVersion)
        }
        throw .badMagic(String(decoding: frame.prefix(16), as: UTF8.self))
    }

    private func expectedCount(_ command: Command) -> String {
        switch command.payloadRule {
        case .none: "3"
        case .optional: "3 or 4"
        case .required: "4"
        }
    }

    private func decodeHeader(_ command: Command, _ header: [UInt8], _ payload: [UInt8]?) throws(ProtocolError) -> Message {
        func parse<T: Decodable>(_: T.Type) throws(ProtocolError) -> T {
            try decodeJSON(T.self, header, command)
        }
        switch command {
        case .hello:
            let hello = try parse(Hello.self)
            // Only a version in its range is another version to refuse; any other value is malformed,
            // and REFUSED could not carry it back.
            try FieldCheck(command: .hello).count(hello.protocolVersion, 1, "protocol_version")
            if hello.protocolVersion != protocolVersion {
                throw .unsupportedVersion(received: hello.protocolVersion, supported: protocolVersion)
            }
            return .hello(hello)
        case .welcome: return .welcome(try parse(Welcome.self))
        case .ready: return .ready(try parse(Ready.self))
        case .assign:
            do throws(ProtocolError) {
                return .assign(try parse(Assign.self), checkpoint: payload)
            } catch {
                // A readable lease with an unreadable config is the trial's problem, not the
                // message's: the worker answers FAILED class config for that lease (SPEC.md §4.1).
                guard error.field?.hasPrefix("config") == true else { throw error }
                let lease = try parse(AssignedLease.self)
                try FieldCheck(command: .assign).claim(lease)
                throw .unreadableConfig(lease: lease, reason: error.description)
            }
        case .datasetRequest: return .datasetRequest(try parse(DatasetRequest.self))
        case .dataset: return .dataset(try parse(DatasetTransfer.self), bytes: payload ?? [])
        case .progress: return .progress(try parse(ProgressReport.self))
        case .batchProgress: return .batchProgress(try parse(BatchProgress.self))
        case .checkpoint: return .checkpoint(try parse(CheckpointUpload.self), bytes: payload ?? [])
        case .result: return .result(try parse(TrialResult.self))
        case .resultAck: return .resultAck(try parse(ResultAck.self))
        case .failed: return .failed(try parse(Failed.self))
        case .stop: return .stop(try parse(Stop.self))
        case .heartbeat: _ = try parse(Empty.self); return .heartbeat
        case .bye: return .bye(try parse(Bye.self))
        case .refused: return .refused(try parse(Refused.self))
        case .threads: return .threads(try parse(ThreadChange.self))
        }
    }

    private func decodeJSON<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], _ command: Command) throws(ProtocolError) -> T {
        // The header must be an object; checking the first non-space byte also keeps scalars and
        // arrays away from the typed decoder.
        guard bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") else {
            throw .badJSON(command: command, reason: "the header must be a JSON object")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw map(error, command)
        } catch {
            throw .badJSON(command: command, reason: "\(error)")
        }
    }

    private func map(_ error: DecodingError, _ command: Command) -> ProtocolError {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            (codingPath + (last.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            return .missingField(command: command, field: path(context.codingPath, key))
        case let .valueNotFound(_, context):
            return .missingField(command: command, field: path(context.codingPath))
        case let .typeMismatch(type, context):
            if context.codingPath.isEmpty { return .badJSON(command: command, reason: context.debugDescription) }
            return .invalidField(command: command, field: path(context.codingPath), reason: "expected \(type)")
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return .badJSON(command: command, reason: context.debugDescription) }
            return .invalidField(command: command, field: path(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return .badJSON(command: command, reason: "\(error)")
        }
    }
}

extension Message {
    /// The payload frame, if this message has one.
    public var payload: [UInt8]? {
        switch self {
        case .assign(_, let checkpoint): checkpoint
        case .dataset(_, let bytes): bytes
        case .checkpoint(_, let bytes): bytes
        default: nil
        }
    }
}
