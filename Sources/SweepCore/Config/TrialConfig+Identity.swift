import Foundation
import SystemSupport
// Sweep files resolve to TrialSpec's types; SweepCore's clients use them as its own.
@_exported import TrialSpec

/// A trial's identity: its id and seed come from its config's canonical JSON.
extension TrialConfig {
    /// Keys that only steer execution (how often to checkpoint, how often to retry, how many threads
    /// train it). They do not change what a trial computes, so they are left out of its identity.
    static let executionOnlyTrainingKeys: Set<String> = ["checkpoint_every", "max_attempts", "threads"]

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
        SHA256Hex.leadingUInt64(Data("\(sweepSeed):\(trialID)".utf8))
    }
}
