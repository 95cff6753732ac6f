import Foundation
import SweepProtocol
import Testing

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
        let report = ProgressReport(trialId: "t", attempt: 1, leaseId: "l", epoch: 1, trainLoss: .nan, valLoss: .infinity,
                                    valAccuracy: 0, valPerplexity: -.infinity, seconds: 1, tokensPerSecond: 1)
        guard case .progress(let back) = try codec.decode(frames: codec.encode(.progress(report))) else {
            Issue.record("not a progress message"); return
        }
        #expect(back.trainLoss.isNaN)
        #expect(back.valLoss == .infinity)
        #expect(back.valPerplexity == -.infinity)
        #expect(JSONValue.number(.nan).doubleValue?.isNaN == true)
    }

    @Test func largeSeedAndIntegersAreExact() throws {
        let config: JSONValue = ["seed": .integer(Int64.max), "x": 1.0]
        let assign = Assign(trialId: "t", trialNumber: 1, attempt: 1, leaseId: "l", leaseSeconds: 1, config: config,
                            seed: UInt64.max, dataset: DatasetRef(name: "d", sha256: hashA, bytes: 1))
        guard case .assign(let back, nil) = try codec.decode(frames: codec.encode(.assign(assign, checkpoint: nil))) else {
            Issue.record("not an assign"); return
        }
        #expect(back.seed == UInt64.max)
        #expect(back.config["seed"]?.integerValue == Int64.max)
        #expect(back.config["x"] == .double(1.0))
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
                                                          "out_of_range", "sweep_complete", "shutting_down", "early_stopped"])
        #expect(Set(ByeCode.allCases.map(\.rawValue)) == ["sweep_complete", "shutting_down", "unknown_worker"])
    }
}
