import SweepProtocol
import SweepTestSupport
import Testing

/// 100,000 seeded frame lists: random ones, and valid messages with one mutation each. Decoding
/// must be deterministic, each mutation must be accepted or rejected the way the spec allows for
/// what it broke, and no accepted message may break the field rules of SPEC.md §3.
@Suite(.timeLimit(.minutes(1)))
struct DecoderFuzzTests {
    @Test func decodesDeterministicallyRejectsEachMutationForItsCauseAndAcceptsOnlyValidMessages() {
        let codec = Codec(limits: Codec.Limits(maxHeaderBytes: 1 << 16, maxPayloadBytes: 1 << 16))
        var random = SplitMix64(seed: 0x5EED_F00D)
        let valid = sampleMessages.map { codec.encode($0) }
        var decoded = 0, rejected = 0
        var kinds = Set<ErrorKind>()
        var mutationsSeen = Set<String>()
        for i in 0..<100_000 {
            let original = valid[Int(random.next() % UInt64(valid.count))]
            let mutation: Mutation? = i % 4 == 0 ? nil : Mutation.random(for: original, &random)
            let frames = mutation?.frames ?? randomFrames(&random)
            let outcome = Self.decode(frames, codec)
            guard Self.same(Self.decode(frames, codec), outcome, codec) else {
                Issue.record("decoding \(frames) twice gave two outcomes")
                continue
            }
            if let mutation { mutationsSeen.insert(mutation.name) }
            switch outcome {
            case .success(let message):
                decoded += 1
                if let broken = SpecRules.violation(in: message) {
                    Issue.record("accepted \(message) although \(broken) (from \(mutation?.name ?? "random frames"))")
                }
                if let mutation, let problem = mutation.unexpectedAcceptance(of: message, original: original, codec) {
                    Issue.record("\(mutation.name): \(problem)")
                }
                // Whatever decodes survives another round trip.
                if !Self.same(Self.decode(codec.encode(message), codec), outcome, codec) {
                    Issue.record("\(message) does not survive a round trip")
                }
            case .failure(let error):
                rejected += 1
                kinds.insert(ErrorKind(error))
                if let mutation, let problem = mutation.unexpectedRejection(error, original: original, codec) {
                    Issue.record("\(mutation.name): \(problem)")
                }
            }
        }
        #expect(rejected > 50_000)
        #expect(decoded > 5_000)
        #expect(kinds.count >= 9, "the fuzzer reached only \(kinds.sorted { "\($0)" < "\($1)" })")
        #expect(mutationsSeen.count == Mutation.allNames.count)
    }

    static func decode(_ frames: [[UInt8]], _ codec: Codec) -> Result<Message, ProtocolError> {
        do { return .success(try codec.decode(frames: frames)) } catch { return .failure(error) }
    }

    /// Equal outcomes; messages compare by their encoding, since a NaN field is unequal to itself.
    static func same(_ a: Result<Message, ProtocolError>, _ b: Result<Message, ProtocolError>, _ codec: Codec) -> Bool {
        switch (a, b) {
        case let (.success(x), .success(y)): codec.encode(x) == codec.encode(y)
        case let (.failure(x), .failure(y)): x == y
        default: false
        }
    }

    func randomFrames(_ random: inout SplitMix64) -> [[UInt8]] {
        let count = Int(random.next() % 6)
        return (0..<count).map { index in
            if index == 0, random.next() % 2 == 0 { return Codec.magic }
            if index == 1, random.next() % 2 == 0 { return Array(Command.allCases.randomElement(using: &random)!.rawValue.utf8) }
            return randomBytes(Int(random.next() % 40), &random)
        }
    }
}

func randomBytes(_ count: Int, _ random: inout SplitMix64) -> [UInt8] {
    let alphabet = Array(#"{}[]":,0123456789.-eE truefalsn\"#.utf8)
    let textual = random.next() % 2 == 0
    return (0..<count).map { _ in
        textual ? alphabet[Int(random.next() % UInt64(alphabet.count))] : UInt8(truncatingIfNeeded: random.next())
    }
}
