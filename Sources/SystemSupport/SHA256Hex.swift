import Crypto
import Foundation

/// Lowercase hex SHA-256, the form every hash takes in sweep files, the store and the protocol.
public enum SHA256Hex {
    /// Hashes bytes where they are (Data, [UInt8], slices): no copy is made.
    public static func digest(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// The digest's first 8 bytes as a big-endian integer (the value of its first 16 hex digits).
    public static func leadingUInt64(_ bytes: some DataProtocol) -> UInt64 {
        SHA256.hash(data: bytes).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
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
        return (hex(hasher.finalize()), count)
    }

    /// Whether `text` has the form `digest` returns: 64 lowercase hex digits.
    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
