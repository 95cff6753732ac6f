import Foundation
import SweepProtocol
import Testing
import TrialSpec

struct CodecRoundTripTests {
    let codec = Codec()

    @Test func samplesCoverEveryCommand() {
        #expect(Set(sampleMessages.map(\.command)) == Set(Command.allCases))
    }

    @Test(arguments: sampleMessages)
    func roundTripsWithAndWithoutIdentity(_ message: Message) throws {
        let frames = codec.encode(message)
        #expect(frames[0] == Array("RNS2".utf8))
        #expect(frames[1] == Array(message.command.rawValue.utf8))
        #expect(frames.count == (message.payload == nil ? 3 : 4))
        #expect(try codec.decode(frames: frames) == message)

        let routed = codec.encode(message, to: [0, 0x80, 7])
        let decoded = try codec.decode(routedFrames: routed)
        #expect(decoded.identity == [0, 0x80, 7])
        #expect(decoded.message == message)
        #expect(try codec.decode(frames: frames.map { Data($0) }) == message)
    }

    @Test func headersAreSnakeCaseJSONObjects() throws {
        let frames = codec.encode(sampleMessages[1])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(frames[2])) as? [String: Any])
        #expect(Set(object.keys) == ["worker_id", "host", "cores", "build", "protocol_version", "running"])
        #expect((object["running"] as? [String: Any])?["trial_id"] as? String == "t-9f2c")
        let failed = try #require(try JSONSerialization.jsonObject(with: Data(codec.encode(.failed(Failed(trialId: "t", attempt: 1, leaseId: "l", failureClass: .diverged, message: "m")))[2])) as? [String: Any])
        #expect(failed["class"] as? String == "diverged")
        #expect(String(decoding: codec.encode(.heartbeat)[2], as: UTF8.self) == "{}")
    }

    @Test func nonFiniteMetricsSurvive() throws {
        let report = ProgressReport(trialId: "t", attempt: 1, leaseId: "l", metrics: EpochMetrics(epoch: 1, trainLoss: .nan, trainAccuracy: 0, valLoss: .infinity,
                                    valAccuracy: 0, valPerplexity: -.infinity, seconds: 1, tokensPerSecond: 1))
        guard case .progress(let back) = try codec.decode(frames: codec.encode(.progress(report))) else {
            Issue.record("not a progress message"); return
        }
        #expect(back.metrics.trainLoss.isNaN)
        #expect(back.metrics.valLoss == .infinity)
        #expect(back.metrics.valPerplexity == -.infinity)
    }

    @Test func largeSeedAndTheTypedConfigAreExact() throws {
        var config = TrialConfig.example(learningRate: 0.1 + 0.2)
        config.training.seed = UInt64.max
        let assign = Assign(trialId: "t", trialNumber: 1, attempt: 1, leaseId: "l", leaseSeconds: 1, config: config,
                            seed: UInt64.max, dataset: DatasetRef(name: "d", sha256: hashA, bytes: 1))
        guard case .assign(let back, nil) = try codec.decode(frames: codec.encode(.assign(assign, checkpoint: nil))) else {
            Issue.record("not an assign"); return
        }
        #expect(back.seed == UInt64.max)
        #expect(back.config == config)
        #expect(back.config.training.learningRate == 0.1 + 0.2)
    }

    @Test func everyCodeTravelsAsItsString() throws {
        for code in StopCode.allCases {
            let frames = codec.encode(.stop(Stop(trialId: "t", attempt: 2, code: code)))
            #expect(String(decoding: frames[2], as: UTF8.self).contains("\"code\":\"\(code.rawValue)\""))
            #expect(try codec.decode(frames: frames) == .stop(Stop(trialId: "t", attempt: 2, code: code)))
        }
        for code in ByeCode.allCases {
            #expect(try codec.decode(frames: codec.encode(.bye(Bye(code: code)))) == .bye(Bye(code: code)))
        }
        for status in ResultStatus.allCases {
            let message = Message.result(TrialResult(trialId: "t", attempt: 1, leaseId: "l", status: status,
                                                     result: ResultMetrics(epochsRun: 0)))
            #expect(try codec.decode(frames: codec.encode(message)) == message)
        }
        #expect(Set(StopCode.allCases.map(\.rawValue)) == ["not_lease_holder", "lease_lost", "superseded", "unknown_trial",
                                                          "out_of_range", "sweep_complete", "shutting_down", "early_stopped", "paused"])
        #expect(Set(ByeCode.allCases.map(\.rawValue)) == ["sweep_complete", "shutting_down", "unknown_worker"])
    }
}

/// BATCH_PROGRESS (SPEC.md §3.2): its header keys, and each range it must respect.
struct BatchProgressCodecTests {
    let codec = Codec()

    func decode(_ header: String) -> Result<Message, ProtocolError> {
        do { return .success(try codec.decode(frames: [Codec.magic, Array("BATCH_PROGRESS".utf8), Array(header.utf8)])) } catch {
            return .failure(error)
        }
    }

    func header(epoch: String = "2", batch: String = "5", batches: String = "10", tokens: String = "640",
                rate: String = "1000.5") -> String {
        #"{"trial_id":"t","attempt":1,"lease_id":"l","epoch":\#(epoch),"batch":\#(batch),"batches":\#(batches),"tokens":\#(tokens),"tokens_per_second":\#(rate)}"#
    }

    @Test func travelsAsSnakeCaseKeys() throws {
        let message = Message.batchProgress(BatchProgress(trialId: "t", attempt: 1, leaseId: "l", epoch: 2, batch: 5,
                                                          batches: 10, tokens: 640, tokensPerSecond: 1000.5))
        let frames = codec.encode(message)
        #expect(frames[1] == Array("BATCH_PROGRESS".utf8))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(frames[2])) as? [String: Any])
        #expect(Set(object.keys) == ["trial_id", "attempt", "lease_id", "epoch", "batch", "batches", "tokens", "tokens_per_second"])
        #expect(try decode(header()).get() == message)
    }

    @Test func rejectsEachValueOutOfRange() {
        func field(_ result: Result<Message, ProtocolError>) -> String? {
            if case .failure(.invalidField(.batchProgress, let field, _)) = result { return field }
            return nil
        }
        #expect(field(decode(header(epoch: "0"))) == "epoch")
        #expect(field(decode(header(batches: "0"))) == "batches")
        #expect(field(decode(header(batch: "-1"))) == "batch")
        #expect(field(decode(header(batch: "11"))) == "batch")
        #expect(field(decode(header(tokens: "2147483648"))) == "tokens")
        #expect(field(decode(header(rate: "-0.5"))) == "tokens_per_second")
        #expect(field(decode(header(rate: "\"inf\""))) == "tokens_per_second")
        #expect(field(decode(header(rate: "\"nan\""))) == "tokens_per_second")
        // A fraction is not rounded into a count.
        if case .success(let message) = decode(header(batch: "2.5")) { Issue.record("batch 2.5 decoded as \(message)") }
        if case .failure(.missingField(.batchProgress, "batches")) = decode(#"{"trial_id":"t","attempt":1,"lease_id":"l","epoch":1,"batch":0,"tokens":0,"tokens_per_second":0}"#) {} else {
            Issue.record("a header without batches decoded")
        }
        // The edges themselves are accepted.
        #expect((try? decode(header(batch: "10", rate: "0")).get()) != nil)
        #expect((try? decode(header(batch: "0", tokens: "0")).get()) != nil)
    }
}

/// ASSIGN with its config spliced in already encoded (the coordinator keeps each trial's config
/// JSON from the run's start): the worker reads the same message as from a full encode.
struct SplicedAssignTests {
    let codec = Codec()

    /// The samples' ASSIGNs, and one whose config holds a slash (escaped or not, by the encoder).
    static var assigns: [(Assign, [UInt8]?)] {
        var assigns = sampleMessages.compactMap { if case .assign(let assign, let checkpoint) = $0 { (assign, checkpoint) } else { nil } }
        if var slashed = assigns.first {
            slashed.0.config.dataset.name = "texts/tiny shakespeare"
            assigns.append(slashed)
        }
        return assigns
    }

    @Test func samplesHoldAssignsWithAndWithoutAResumeCheckpoint() {
        #expect(Self.assigns.contains { $0.1 == nil } && Self.assigns.contains { $0.1 != nil })
    }

    @Test(arguments: [false, true])
    func aSplicedAssignDecodesToTheSameMessageAsAFullOne(escapingSlashes: Bool) throws {
        for (assign, checkpoint) in Self.assigns {
            let encoder = JSONEncoder()
            // The store's text escapes slashes; the codec's own does not: both must read back alike.
            encoder.outputFormatting = escapingSlashes ? [.sortedKeys] : [.sortedKeys, .withoutEscapingSlashes]
            let configJSON = Array(try encoder.encode(assign.config))
            let spliced = codec.encode(assign, configJSON: configJSON, checkpoint: checkpoint, to: [9, 8])
            let full = codec.encode(.assign(assign, checkpoint: checkpoint), to: [9, 8])
            #expect(spliced.count == full.count)
            #expect(spliced[0...1] == full[0...1])
            let decoded = try codec.decode(routedFrames: spliced)
            #expect(decoded.identity == [9, 8])
            #expect(decoded.message == .assign(assign, checkpoint: checkpoint))
            // Nothing is lost or doubled: the same keys as the full header.
            let splicedKeys = try #require(try JSONSerialization.jsonObject(with: Data(spliced[3])) as? [String: Any]).keys
            let fullKeys = try #require(try JSONSerialization.jsonObject(with: Data(full[3])) as? [String: Any]).keys
            #expect(Set(splicedKeys) == Set(fullKeys))
            #expect(Set(fullKeys).contains("config"))
        }
    }
}
