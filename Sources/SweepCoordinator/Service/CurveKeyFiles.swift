import Foundation
import ZeroMQ

/// Key files written by `coordinator keygen`: a key pair file holds two lines,
/// `public <Z85>` and `secret <Z85>`; an allow-list holds one Z85 public key per line (# comments).
public enum CurveKeyFiles {
    /// A fresh CURVE key pair.
    public static func generate() throws -> CurveKeyPair { try CurveKeyPair.generate() }

    public static func write(_ pair: CurveKeyPair, to url: URL) throws {
        let text = "# RNNSweep CURVE key pair. Keep the secret line private.\npublic \(pair.publicKey)\nsecret \(pair.secretKey)\n"
        try Data(text.utf8).write(to: url, options: .atomic)
        _ = chmod(url.path, 0o600)
    }

    public static func readKeyPair(_ url: URL) throws -> CurveKeyPair {
        let text = try String(contentsOf: url, encoding: .utf8)
        var secret: String?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2, parts[0] == "secret" { secret = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        guard let secret, secret.count == CurveKeyPair.z85KeyLength else {
            throw RunSetupError("\(url.path): no `secret <40 Z85 characters>` line (write one with `coordinator keygen`)")
        }
        return try CurveKeyPair.fromSecretKey(secret)
    }

    /// A public key from a key pair file or a bare one-line key file.
    public static func readPublicKey(_ url: URL) throws -> String {
        let text = try String(contentsOf: url, encoding: .utf8)
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ").map(String.init)
            if parts.count == 2, parts[0] == "public", parts[1].count == CurveKeyPair.z85KeyLength { return parts[1] }
            if parts.count == 1, parts[0].count == CurveKeyPair.z85KeyLength { return parts[0] }
        }
        throw RunSetupError("\(url.path): no public key (a line `public <40 Z85 characters>` or the bare key)")
    }

    /// One key per line (bare, or `public <key>`). Z85 keys may contain `#`, so only lines that
    /// are not a key and start with `#` are comments.
    public static func readAllowList(_ url: URL) throws -> Set<String> {
        let text = try String(contentsOf: url, encoding: .utf8)
        var keys = Set<String>()
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let key = line.hasPrefix("public ") ? String(line.dropFirst(7)) : line
            if key.count == CurveKeyPair.z85KeyLength, !key.contains(" ") { keys.insert(key); continue }
            if line.isEmpty || line.hasPrefix("#") { continue }
            throw RunSetupError("\(url.path) line \(number + 1): \(key.debugDescription) is not a 40-character Z85 public key")
        }
        return keys
    }
}
