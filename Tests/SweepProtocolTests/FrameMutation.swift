import SweepProtocol
import SweepTestSupport

/// One change to a valid frame list `[magic, command, header, payload?]`, and what SPEC.md allows
/// the decoder to answer to it: which errors it may cause, and whether it may be accepted at all.
struct Mutation {
    enum Kind: String, CaseIterable {
        case magicVersion, magicByte, dropMagic, dropCommand, dropHeader, dropPayload, extraFrame
        case headerToken, headerDelete, headerSplice, commandSwap, payloadByte, payloadTruncate
    }

    let kind: Kind
    let frames: [[UInt8]]
    /// For `magicVersion`: the version written into the magic frame.
    var version = 0
    /// For `headerToken`: the JSON text written in place of a value.
    var token = ""

    var name: String { kind.rawValue }
    static var allNames: [String] { Kind.allCases.map(\.rawValue) }

    static func random(for original: [[UInt8]], _ random: inout SplitMix64) -> Mutation {
        let payload = original.count == 4 ? original[3] : nil
        let kinds = Kind.allCases.filter {
            switch $0 {
            case .dropPayload, .payloadTruncate: payload != nil
            case .payloadByte: payload?.isEmpty == false
            default: true
            }
        }
        let kind = kinds[Int(random.next() % UInt64(kinds.count))]
        var frames = original
        var version = 0
        var token = ""
        switch kind {
        case .magicVersion:
            // Any one-digit version but ours: 0 is no version at all, the others are unsupported.
            let others = (0...9).filter { $0 != protocolVersion }
            version = others[Int(random.next() % UInt64(others.count))]
            frames[0] = Array("RNS\(version)".utf8)
        case .magicByte:
            frames[0][Int(random.next() % UInt64(frames[0].count))] ^= UInt8(truncatingIfNeeded: random.next() | 1)
        case .dropMagic: frames.remove(at: 0)
        case .dropCommand: frames.remove(at: 1)
        case .dropHeader: frames.remove(at: 2)
        case .dropPayload: frames.remove(at: 3)
        case .extraFrame: frames.append(randomBytes(Int(random.next() % 8), &random))
        case .headerToken: (frames[2], token) = replaceToken(frames[2], &random)
        case .headerDelete: frames[2] = deleteSpan(frames[2], &random)
        case .headerSplice:
            let at = Int(random.next() % UInt64(frames[2].count + 1))
            frames[2].insert(contentsOf: randomBytes(Int(random.next() % 6) + 1, &random), at: at)
        case .commandSwap:
            let others = Command.allCases.filter { Array($0.rawValue.utf8) != frames[1] }
            frames[1] = Array(others[Int(random.next() % UInt64(others.count))].rawValue.utf8)
        case .payloadByte:
            frames[3][Int(random.next() % UInt64(frames[3].count))] ^= UInt8(truncatingIfNeeded: random.next() | 1)
        case .payloadTruncate where !frames[3].isEmpty:
            frames[3] = Array(frames[3].prefix(Int(random.next() % UInt64(frames[3].count))))
        case .payloadTruncate: frames[3] = [1, 2]  // an empty payload can only grow: still a wrong size
        }
        return Mutation(kind: kind, frames: frames, version: version, token: token)
    }

    /// Error kinds a header-only change can cause: the frames around it are still well formed.
    private static let headerErrors: Set<ErrorKind> = [.badJSON, .missingField, .invalidField, .unsupportedVersion,
                                                       .payloadSizeMismatch, .unexpectedPayload, .unreadableConfig]

    /// Why rejecting the mutated frames with `error` breaks the spec, or nil when it may.
    func unexpectedRejection(_ error: ProtocolError, original: [[UInt8]], _ codec: Codec) -> String? {
        let kind = ErrorKind(error)
        let allowed: Set<ErrorKind>
        switch self.kind {
        case .magicVersion:
            let expected: ProtocolError = version == 0 ? .badMagic("RNS0")
                : .unsupportedVersion(received: version, supported: protocolVersion)
            return error == expected ? nil : "magic RNS\(version) gave \(error), expected \(expected)"
        case .magicByte: allowed = [.badMagic, .unsupportedVersion]
        case .dropMagic: allowed = [.badMagic]
        case .dropCommand: allowed = [.unknownCommand]
        case .dropHeader: allowed = [.wrongFrameCount, .missingPayload, .badJSON]
        case .dropPayload: allowed = [.missingPayload]
        case .extraFrame: allowed = [.wrongFrameCount, .unexpectedPayload]
        case .headerToken, .headerDelete, .headerSplice: allowed = Self.headerErrors
        case .commandSwap: allowed = Self.headerErrors.union([.missingPayload])
        case .payloadByte:
            return "an opaque payload byte changed, yet the message was rejected: \(error)"
        case .payloadTruncate:
            guard let command = Command(rawValue: String(decoding: original[1], as: UTF8.self)),
                  [.dataset, .checkpoint].contains(command) else {
                return "a payload without a declared size was cut, yet the message was rejected: \(error)"
            }
            let expected = ProtocolError.payloadSizeMismatch(command: command, declared: original[3].count,
                                                             actual: frames[3].count)
            return error == expected ? nil : "a cut payload gave \(error), expected \(expected)"
        }
        return allowed.contains(kind) ? nil : "\(error) is not a possible outcome"
    }

    /// Why accepting the mutated frames as `message` breaks the spec, or nil when it may.
    func unexpectedAcceptance(of message: Message, original: [[UInt8]], _ codec: Codec) -> String? {
        switch kind {
        case .headerToken where exactNumbers.contains(token):
            // Only a number field or the config can take it, and then as sent: a fraction is not
            // rounded into a count, nor is a count above 2³¹−1 clamped.
            let header = String(decoding: codec.encode(message)[2], as: UTF8.self)
            return header.contains(":\(token)") ? nil : "accepted \(token) but decoded it as \(message)"
        case .headerToken, .headerDelete, .headerSplice, .commandSwap:
            return nil  // may still be a valid message; SpecRules checks its fields
        case .payloadByte, .payloadTruncate:
            // The payload travels as it is: the message is the original with the new payload.
            return codec.encode(message) == frames ? nil : "accepted \(message), which is not the frames it came from"
        default:
            return "accepted \(message)"
        }
    }
}

/// Numbers no count may take (a fraction; 2³¹, one above the largest count), which are
/// valid in a `num` field or the config.
let exactNumbers: Set<String> = ["3.75", "2147483648"]

/// A JSON value in the header replaced by another token (valid JSON or not), and that token.
/// Besides wrong types, the tokens probe the edges of SPEC.md §1.1: counts below 0 and above
/// 2³¹−1, fractions, and ids of 0 and 257 bytes.
func replaceToken(_ header: [UInt8], _ random: inout SplitMix64) -> ([UInt8], String) {
    let replacements = ["null", "-1", "0", "1e999", "\"\"", "[]", "{}", "true", "\"nan\"", "18446744073709551616", "\"x\"",
                        "2147483647", "\"\(String(repeating: "i", count: 257))\""] + exactNumbers.sorted()
    guard let colon = header.indices.filter({ header[$0] == UInt8(ascii: ":") }).randomElement(using: &random) else { return (header, "") }
    var end = colon + 1
    while end < header.count, ![UInt8(ascii: ","), UInt8(ascii: "}")].contains(header[end]) { end += 1 }
    let token = replacements.randomElement(using: &random)!
    return (Array(header[...colon]) + Array(token.utf8) + Array(header[end...]), token)
}

/// Up to 30 header bytes deleted.
func deleteSpan(_ header: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
    guard header.count > 2 else { return header }
    let start = Int(random.next() % UInt64(header.count))
    let length = Int(random.next() % 30) + 1
    var copy = header
    copy.removeSubrange(start..<min(header.count, start + length))
    return copy
}

/// The case of a ProtocolError, without its details.
enum ErrorKind: Hashable {
    case wrongFrameCount, missingIdentity, badMagic, unsupportedVersion, unknownCommand, badJSON, missingField
    case invalidField, oversizeHeader, oversizePayload, unexpectedPayload, missingPayload, payloadSizeMismatch
    case unreadableConfig

    init(_ error: ProtocolError) {
        switch error {
        case .wrongFrameCount: self = .wrongFrameCount
        case .missingIdentity: self = .missingIdentity
        case .badMagic: self = .badMagic
        case .unsupportedVersion: self = .unsupportedVersion
        case .unknownCommand: self = .unknownCommand
        case .badJSON: self = .badJSON
        case .missingField: self = .missingField
        case .invalidField: self = .invalidField
        case .oversizeHeader: self = .oversizeHeader
        case .oversizePayload: self = .oversizePayload
        case .unexpectedPayload: self = .unexpectedPayload
        case .missingPayload: self = .missingPayload
        case .payloadSizeMismatch: self = .payloadSizeMismatch
        case .unreadableConfig: self = .unreadableConfig
        }
    }
}
