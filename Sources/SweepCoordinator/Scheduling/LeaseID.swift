/// Lease ids: 128 random bits as 32 lowercase hex digits, so a peer cannot guess the lease of an
/// assignment it did not receive.
public enum LeaseID {
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let words = [generator.next() as UInt64, generator.next() as UInt64]
        return words.map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
