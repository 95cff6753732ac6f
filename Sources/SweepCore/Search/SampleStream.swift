/// Counter-based random numbers for search spaces: the number drawn for (seed, sample, key) is a
/// hash of those three alone, so a sample's values never depend on how many samples, keys or
/// draws came before it. Raising `samples` therefore keeps every earlier sample as it was.
enum SampleStream {
    /// A uniform number in [0, 1) for `key` of sample `sample`.
    static func unit(seed: UInt64, sample: Int, key: String) -> Double {
        var state = mix(seed ^ 0x5EA2_C4D1_7A3B_9F01)
        state = mix(state ^ UInt64(truncatingIfNeeded: sample))
        state = mix(state ^ fnv1a(key))
        return Double(state >> 11) * 0x1p-53
    }

    /// SplitMix64's finaliser: a bijection that spreads every input bit over the output.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a of the key's UTF-8 bytes (stable across runs and machines, unlike `Hasher`).
    private static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
