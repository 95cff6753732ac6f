/// Which side of a split a batch is drawn from.
public enum Partition: String, Codable, Sendable, CaseIterable {
    case train, validation
}

/// What the trainer does with the shared split vocabulary.
extension SplitSpec {
    /// Throws unless `fraction` is in (0, 1) for the kinds that use it, and `windows` has both counts.
    public func validate() throws {
        if kind == .windows {
            guard let train = trainWindows, let validation = validationWindows, train >= 1, validation >= 1 else {
                throw DataError.invalidParameter(field: "split.train_windows/validation_windows",
                                                 value: "\(trainWindows.map(String.init) ?? "null")/\(validationWindows.map(String.init) ?? "null")",
                                                 expected: "positive window counts for split 'windows'")
            }
            return
        }
        guard kind != .none else { return }
        guard fraction.isFinite, fraction > 0, fraction < 1 else {
            throw DataError.invalidParameter(field: "split.fraction", value: "\(fraction)",
                                             expected: "a number in (0, 1) for split '\(kind.rawValue)'")
        }
    }
}

/// Seeds derived from a trial seed, one independent stream per purpose and epoch.
enum DerivedSeed {
    static let splitDomain: UInt64 = 0x5350_4C49_5400_0000 // "SPLIT"
    static let epochDomain: UInt64 = 0x4550_4F43_4800_0000 // "EPOCH"

    /// SplitMix64 finaliser: nearby inputs give unrelated seeds.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func split(_ seed: UInt64) -> UInt64 { seed ^ mix(splitDomain) }

    static func epoch(_ seed: UInt64, _ epoch: Int) -> UInt64 {
        seed ^ mix(epochDomain &+ UInt64(bitPattern: Int64(epoch)))
    }
}
