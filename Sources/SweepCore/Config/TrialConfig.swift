import Crypto
import Foundation

/// Everything that defines one trial, fully resolved (no defaults left to fill). Encodes as JSON
/// with snake_case keys in sections `model`, `training`, `split`, `dataset`, `generate`; this is
/// the config that travels to workers and is stored with every result.
public struct TrialConfig: Codable, Sendable, Hashable {
    public var model: ModelSettings
    public var training: TrainingSettings
    public var split: SplitSettings
    public var dataset: DatasetSettings
    public var generate: GenerateSettings

    public init(model: ModelSettings, training: TrainingSettings, split: SplitSettings, dataset: DatasetSettings, generate: GenerateSettings) {
        self.model = model
        self.training = training
        self.split = split
        self.dataset = dataset
        self.generate = generate
    }

    /// Keys that only steer execution (how often to checkpoint, how often to retry). They do not
    /// change what a trial computes, so they are left out of its identity.
    static let executionOnlyTrainingKeys: Set<String> = ["checkpoint_every", "max_attempts"]

    /// The whole config as JSON, via its Codable form.
    public var json: JSONValue {
        let encoder = JSONEncoder()
        // Non-finite numbers (never produced by a sweep file) become strings instead of throwing,
        // so encoding these plain structs cannot fail, and the parser reads back what Foundation wrote.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(self), let value = try? JSONParser.parse(Array(data)) else { return .null }
        return value
    }

    /// Canonical JSON of the config's identity: the Codable form without execution-only keys,
    /// keys sorted, numbers in canonical form. The trial id hashes this text.
    public var canonicalIdentityJSON: String {
        guard case .object(var sections) = json else { return "" }
        for index in sections.indices where sections[index].key == "training" {
            if case .object(let members) = sections[index].value {
                sections[index].value = .object(members.filter { !Self.executionOnlyTrainingKeys.contains($0.key) })
            }
        }
        return JSONWriter.canonical(.object(sections))
    }

    /// First 12 hex characters of SHA-256 of `canonicalIdentityJSON`.
    public var trialID: String {
        String(SHA256Hex.digest(Data(canonicalIdentityJSON.utf8)).prefix(12))
    }

    /// The seed a trial trains with: the first 8 bytes (big-endian) of SHA-256 of
    /// "<sweep seed>:<trial id>", so it depends on neither the worker nor the order of trials.
    public static func trialSeed(sweepSeed: UInt64, trialID: String) -> UInt64 {
        let digest = SHA256.hash(data: Data("\(sweepSeed):\(trialID)".utf8))
        return digest.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
    }
}

/// Lowercase hex SHA-256.
public enum SHA256Hex {
    /// Hashes bytes where they are (Data, [UInt8], slices): no copy is made.
    public static func digest(_ bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Streams a file through SHA-256 in 1 MiB chunks; also returns its size.
    public static func digest(ofFileAt url: URL) throws -> (sha256: String, byteCount: Int) {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        var count = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            count += chunk.count
        }
        let hex = hasher.finalize().map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
        return (hex, count)
    }

    static func isValid(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
