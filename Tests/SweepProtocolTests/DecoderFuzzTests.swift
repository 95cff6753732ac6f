import SweepProtocol
import SweepTestSupport
import Testing

/// 100,000 seeded random and mutated frame lists: the decoder must only ever return a message or
/// throw a ProtocolError (typed throws make anything else impossible to throw; this proves it
/// neither traps nor hangs). Mutated valid messages that still decode must re-encode stably.
@Suite(.timeLimit(.minutes(1)))
struct DecoderFuzzTests {
    @Test func randomAndMutatedFramesNeverCrash() throws {
        let codec = Codec(limits: Codec.Limits(maxHeaderBytes: 1 << 16, maxPayloadBytes: 1 << 16))
        var random = SplitMix64(seed: 0x5EED_F00D)
        let valid = sampleMessages.map { codec.encode($0) }
        var decoded = 0, rejected = 0
        var kinds = Set<String>()
        for i in 0..<100_000 {
            let frames = i % 4 == 0 ? randomFrames(&random) : mutate(valid[Int(random.next() % UInt64(valid.count))], &random)
            do {
                let message = try codec.decode(frames: frames)
                decoded += 1
                // Whatever decodes is a real message: it survives another round trip.
                // (Metrics may be NaN, which equals nothing: those commands are skipped.)
                switch message {
                case .progress, .result, .failed: break
                default: #expect(try codec.decode(frames: codec.encode(message)) == message)
                }
            } catch {
                rejected += 1
                kinds.insert(String("\(error)".prefix(while: { $0 != "(" && $0 != " " })))
            }
        }
        #expect(decoded + rejected == 100_000)
        #expect(rejected > 50_000)
        #expect(decoded > 0)
        #expect(kinds.count >= 8)  // the fuzzer reaches many distinct error paths
    }

    func randomFrames(_ random: inout SplitMix64) -> [[UInt8]] {
        let count = Int(random.next() % 6)
        return (0..<count).map { index in
            if index == 0, random.next() % 2 == 0 { return Array("RNS2".utf8) }
            if index == 1, random.next() % 2 == 0 { return Array(Command.allCases.randomElement(using: &random)!.rawValue.utf8) }
            return randomBytes(Int(random.next() % 40), &random)
        }
    }

    func randomBytes(_ count: Int, _ random: inout SplitMix64) -> [UInt8] {
        let alphabet = Array(#"{}[]":,0123456789.-eE truefalsn\"#.utf8)
        let textual = random.next() % 2 == 0
        return (0..<count).map { _ in
            textual ? alphabet[Int(random.next() % UInt64(alphabet.count))] : UInt8(truncatingIfNeeded: random.next())
        }
    }

    func mutate(_ original: [[UInt8]], _ random: inout SplitMix64) -> [[UInt8]] {
        var frames = original
        for _ in 0...(random.next() % 3) {
            let f = Int(random.next() % UInt64(max(frames.count, 1)))
            switch random.next() % 10 {
            case 0 where !frames.isEmpty: frames.remove(at: f)
            case 1 where !frames.isEmpty: frames.insert(frames[f], at: f)
            case 2: frames.append(randomBytes(Int(random.next() % 8), &random))
            case 3 where !frames.isEmpty && !frames[f].isEmpty:  // flip a byte
                let b = Int(random.next() % UInt64(frames[f].count))
                frames[f][b] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            case 4 where !frames.isEmpty:  // truncate
                frames[f] = Array(frames[f].prefix(Int(random.next() % UInt64(frames[f].count + 1))))
            case 5 where frames.count > 2:  // replace a JSON token in the header
                frames[2] = replaceToken(frames[2], &random)
            case 6 where frames.count > 2:  // delete a key
                frames[2] = deleteSpan(frames[2], &random)
            case 7 where !frames.isEmpty:  // splice random text
                let at = Int(random.next() % UInt64(frames[f].count + 1))
                frames[f].insert(contentsOf: randomBytes(Int(random.next() % 6) + 1, &random), at: at)
            case 8 where frames.count > 1: frames.swapAt(0, Int(random.next() % UInt64(frames.count)))
            default: if !frames.isEmpty { frames[0] = Array("RNS\(random.next() % 4)".utf8) }
            }
        }
        return frames
    }

    func replaceToken(_ header: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        let replacements = ["null", "-1", "0", "1e999", "\"\"", "[]", "{}", "true", "\"nan\"", "18446744073709551616", "\"x\""]
        guard let colon = header.indices.filter({ header[$0] == UInt8(ascii: ":") }).randomElement(using: &random) else { return header }
        var end = colon + 1
        while end < header.count, ![UInt8(ascii: ","), UInt8(ascii: "}")].contains(header[end]) { end += 1 }
        return Array(header[...colon]) + Array(replacements.randomElement(using: &random)!.utf8) + Array(header[end...])
    }

    func deleteSpan(_ header: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        guard header.count > 2 else { return header }
        let start = Int(random.next() % UInt64(header.count))
        let length = Int(random.next() % 30)
        var copy = header
        copy.removeSubrange(start..<min(header.count, start + length))
        return copy
    }
}
