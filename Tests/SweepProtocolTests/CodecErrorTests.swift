import Foundation
import SweepProtocol
import SweepTestSupport
import Testing
import TrialSpec

struct CodecErrorTests {
    let codec = Codec(limits: Codec.Limits(maxHeaderBytes: 4096, maxPayloadBytes: 64))

    func frames(_ command: String, _ header: String, _ payload: [UInt8]? = nil, magic: String = "RNS2") -> [[UInt8]] {
        [Array(magic.utf8), Array(command.utf8), Array(header.utf8)] + (payload.map { [$0] } ?? [])
    }

    func error(_ frames: [[UInt8]]) -> ProtocolError? {
        do {
            _ = try codec.decode(frames: frames)
            return nil
        } catch {
            return error
        }
    }

    @Test func frameCountMagicAndVersion() {
        #expect(error([]) == .wrongFrameCount(command: nil, count: 0, expected: "3 or 4"))
        #expect(error([Array("RNS2".utf8)]) == .wrongFrameCount(command: nil, count: 1, expected: "3 or 4"))
        #expect(error(frames("HEARTBEAT", "{}") + [[1], [2]]) == .wrongFrameCount(command: "HEARTBEAT", count: 5, expected: "3"))
        #expect(error(frames("HEARTBEAT", "{}", magic: "ZMQ1")) == .badMagic("ZMQ1"))
        #expect(error(frames("HEARTBEAT", "{}", magic: "RNS01")) == .badMagic("RNS01"))
        #expect(error(frames("HEARTBEAT", "{}", magic: "RNS1")) == .unsupportedVersion(received: 1, supported: 2))
        #expect(error(frames("HEARTBEAT", "{}", magic: "RNS3")) == .unsupportedVersion(received: 3, supported: 2))
        let hello = #"{"worker_id":"w","host":"h","cores":1,"build":"b","protocol_version":7}"#
        #expect(error(frames("HELLO", hello)) == .unsupportedVersion(received: 7, supported: 2))
        // A version outside its range is malformed, not refused: REFUSED could not carry it back.
        #expect(error(frames("HELLO", #"{"worker_id":"w","host":"h","cores":1,"build":"b","protocol_version":0}"#)) ==
            .invalidField(command: .hello, field: "protocol_version", reason: "0 is below 1"))
        #expect(error(frames("REFUSED", #"{"reason":"r","received_version":-1}"#)) ==
            .invalidField(command: .refused, field: "received_version", reason: "-1 is below 0"))
        #expect(Refused.versionMismatch(received: 1).reason == "protocol version 1 is not supported; this coordinator speaks version 2")
        #expect(throws: ProtocolError.missingIdentity) { try codec.decode(routedFrames: [[UInt8]]()) }
        #expect(throws: ProtocolError.missingIdentity) { try codec.decode(routedFrames: [[]] + frames("HEARTBEAT", "{}")) }
    }

    @Test func commandsAndPayloadRules() {
        #expect(error(frames("LAUNCH", "{}")) == .unknownCommand("LAUNCH"))
        #expect(error(frames("hello", "{}")) == .unknownCommand("hello"))
        #expect(error(frames("HEARTBEAT", "{}", [1])) == .unexpectedPayload(command: .heartbeat))
        #expect(error(frames("DATASET", #"{"sha256":"\#(hashA)","bytes":0}"#)) == .missingPayload(command: .dataset))
        #expect(error(frames("DATASET", #"{"sha256":"\#(hashA)","bytes":3}"#, [1, 2])) ==
            .payloadSizeMismatch(command: .dataset, declared: 3, actual: 2))
        #expect(error(frames("DATASET", #"{"sha256":"\#(hashA)","bytes":65}"#, [UInt8](repeating: 0, count: 65))) ==
            .oversizePayload(command: .dataset, bytes: 65, limit: 64))
        #expect(error(frames("BYE", #"{"reason":"\#(String(repeating: "x", count: 5000))"}"#)) ==
            .oversizeHeader(command: .bye, bytes: 5013, limit: 4096))
        let assign = #"{"trial_id":"t","trial_number":0,"attempt":1,"lease_id":"l","lease_seconds":5,"config":\#(exampleConfigJSON),"seed":1,"dataset":{"name":"n","sha256":"\#(hashA)","bytes":1}}"#
        #expect(error(frames("ASSIGN", assign)) == nil)
        #expect(error(frames("ASSIGN", String(assign.dropLast(3)) + "2147483648}}")) ==
            .invalidField(command: .assign, field: "dataset.bytes", reason: "2147483648 is above 2147483647"))
        #expect(error(frames("ASSIGN", assign, [1])) == .unexpectedPayload(command: .assign))
        let resume = String(assign.dropLast()) + #","resume_checkpoint":{"epoch":2,"sha256":"\#(hashB)"}}"#
        #expect(error(frames("ASSIGN", resume)) == .missingPayload(command: .assign))
        #expect(error(frames("ASSIGN", resume, [1])) == nil)
    }

    @Test func anAssignWithAReadableLeaseButAnUnreadableConfigNamesTheLease() {
        let lease = AssignedLease(trialId: "t", attempt: 2, leaseId: "l")
        let header = { (config: String, leaseID: String) in
            #"{"trial_id":"t","trial_number":0,"attempt":2,"lease_id":"\#(leaseID)","lease_seconds":5,"config":\#(config),"seed":1,"dataset":{"name":"n","sha256":"\#(hashA)","bytes":1}}"#
        }
        let wrongType = exampleConfigJSON.replacingOccurrences(of: #""hidden_size":128"#, with: #""hidden_size":"big""#)
        #expect(wrongType != exampleConfigJSON)
        for config in ["{}", "[]", "7", wrongType] {
            guard case .unreadableConfig(lease, _)? = error(frames("ASSIGN", header(config, "l"))) else {
                Issue.record("config \(config.prefix(60)) gave \(String(describing: error(frames("ASSIGN", header(config, "l")))))")
                continue
            }
        }
        // Without a valid lease there is nobody to answer: the message is malformed as a whole.
        #expect(error(frames("ASSIGN", header("{}", String(repeating: "i", count: 257)))) ==
            .invalidField(command: .assign, field: "lease_id", reason: "longer than 256 bytes"))
    }

    @Test func jsonAndFields() {
        #expect(error(frames("BYE", "not json")) == .badJSON(command: .bye, reason: "the header must be a JSON object"))
        #expect(error(frames("BYE", "[1]")) == .badJSON(command: .bye, reason: "the header must be a JSON object"))
        if case .badJSON(.bye, _)? = error(frames("BYE", "{\"reason\":")) {} else { Issue.record("truncated JSON") }
        if case .badJSON(.bye, _)? = error([Array("RNS2".utf8), Array("BYE".utf8), [0x7B, 0xFF, 0xFE, 0x7D]]) {} else {
            Issue.record("invalid UTF-8")
        }
        #expect(error(frames("BYE", "{}")) == .missingField(command: .bye, field: "code"))
        #expect(error(frames("BYE", #"{"code":null}"#)) == .missingField(command: .bye, field: "code"))
        if case .invalidField(.bye, "code", _)? = error(frames("BYE", #"{"code":"sweep complete"}"#)) {} else {
            Issue.record("free-text BYE reason accepted as a code")
        }
        #expect(error(frames("STOP", #"{"trial_id":"t","reason":"x"}"#)) == .missingField(command: .stop, field: "code"))
        #expect(error(frames("READY", #"{"slots":"one"}"#)) == .invalidField(command: .ready, field: "slots", reason: "expected Int"))
        #expect(error(frames("READY", #"{"slots":-1}"#)) == .invalidField(command: .ready, field: "slots", reason: "-1 is below 0"))
        #expect(error(frames("READY", #"{"slots":1,"assigned":-1}"#)) == .invalidField(command: .ready, field: "assigned", reason: "-1 is below 0"))
        #expect(error(frames("HELLO", #"{"worker_id":"w","host":"h","cores":1,"build":"b","protocol_version":2,"prefetch":2147483648}"#))
                == .invalidField(command: .hello, field: "prefetch", reason: "2147483648 is above 2147483647"))
        if case .invalidField(.failed, "class", _)? = error(frames("FAILED", #"{"trial_id":"t","attempt":1,"lease_id":"l","class":"cosmic","message":"m"}"#)) {} else {
            Issue.record("unknown failure class")
        }
        #expect(error(frames("FAILED", #"{"trial_id":"t","attempt":1,"lease_id":"l","class":"infra","message":"m","worker_fault":"yes"}"#)) ==
            .invalidField(command: .failed, field: "worker_fault", reason: "expected Bool"))
        #expect(error(frames("DATASET_REQUEST", #"{"sha256":"ABC"}"#)) ==
            .invalidField(command: .datasetRequest, field: "sha256", reason: "\"ABC\" is not 64 lowercase hex digits"))
        if case .invalidField(.result, "result", _)? = error(frames("RESULT", #"{"trial_id":"t","attempt":1,"lease_id":"l","status":"completed","result":[1]}"#)) {} else {
            Issue.record("result that is not an object")
        }
        #expect(error(frames("RESULT", #"{"trial_id":"t","attempt":1,"status":"completed","result":{"epochs_run":1}}"#)) ==
            .missingField(command: .result, field: "lease_id"))
        if case .invalidField(.result, "status", _)? = error(frames("RESULT", #"{"trial_id":"t","attempt":1,"lease_id":"l","status":"great","result":{"epochs_run":1}}"#)) {} else {
            Issue.record("unknown result status")
        }
        // A count that does not fit an Int, or a huge one that does, never reaches the receiver.
        #expect(error(frames("RESULT", #"{"trial_id":"t","attempt":1,"lease_id":"l","status":"completed","result":{"epochs_run":1e300}}"#)) != nil)
        #expect(error(frames("RESULT", #"{"trial_id":"t","attempt":1,"lease_id":"l","status":"completed","result":{"epochs_run":2.5}}"#)) != nil)
        #expect(error(frames("PROGRESS", #"{"trial_id":"t","attempt":1,"lease_id":"l","epoch":4294967296,"train_loss":1,"train_accuracy":0,"val_loss":1,"val_accuracy":0,"val_perplexity":1,"seconds":1,"tokens_per_second":1}"#)) ==
            .invalidField(command: .progress, field: "epoch", reason: "4294967296 is above 2147483647"))
        #expect(error(frames("HELLO", #"{"worker_id":"w","host":"h","cores":1,"build":"b","protocol_version":2,"running":{"trial_id":"t","attempt":9223372036854775807,"lease_id":"l","epoch":0}}"#)) ==
            .invalidField(command: .hello, field: "running.attempt", reason: "9223372036854775807 is above 2147483647"))
        #expect(error(frames("HELLO", #"{"worker_id":"w","host":"h","cores":1,"build":"b","protocol_version":2,"running":{"trial_id":"t","attempt":0,"lease_id":"l","epoch":0}}"#)) ==
            .invalidField(command: .hello, field: "running.attempt", reason: "0 is below 1"))
        #expect(error(frames("HELLO", #"{"host":"h","cores":1,"build":"b","protocol_version":2}"#)) ==
            .missingField(command: .hello, field: "worker_id"))
        // Unknown keys are ignored (optional additions within a version).
        #expect(error(frames("BYE", #"{"code":"shutting_down","future_field":[1,2]}"#)) == nil)
    }

    @Test func errorsDescribeThemselves() {
        let text = ProtocolError.invalidField(command: .ready, field: "slots", reason: "-1 is below 0").description
        #expect(text == "READY field \"slots\": -1 is below 0")
        #expect(ProtocolError.unsupportedVersion(received: 1, supported: 2).description.contains("version 1"))
    }
}
