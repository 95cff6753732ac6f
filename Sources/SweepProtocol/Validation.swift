/// Range checks the JSON types alone do not express (SPEC.md §3).
struct FieldCheck {
    let command: Command

    func nonEmpty(_ value: String, _ field: String) throws(ProtocolError) {
        if value.isEmpty { throw .invalidField(command: command, field: field, reason: "must not be empty") }
    }

    func atLeast(_ value: Int, _ minimum: Int, _ field: String) throws(ProtocolError) {
        if value < minimum { throw .invalidField(command: command, field: field, reason: "\(value) is below \(minimum)") }
    }

    func positive(_ value: Double, _ field: String) throws(ProtocolError) {
        if !(value > 0) || !value.isFinite {
            throw .invalidField(command: command, field: field, reason: "\(value) is not a positive number")
        }
    }

    func sha256(_ value: String, _ field: String) throws(ProtocolError) {
        let ok = value.utf8.count == 64 && value.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        if !ok { throw .invalidField(command: command, field: field, reason: "\(value.prefix(80).debugDescription) is not 64 lowercase hex digits") }
    }

    func object(_ value: JSONValue, _ field: String) throws(ProtocolError) {
        if value.objectValue == nil { throw .invalidField(command: command, field: field, reason: "must be a JSON object") }
    }
}

extension Message {
    /// Checks field ranges; the codec calls it after decoding.
    func validate() throws(ProtocolError) {
        let check = FieldCheck(command: command)
        switch self {
        case .hello(let h):
            try check.nonEmpty(h.workerId, "worker_id")
            try check.atLeast(h.cores, 1, "cores")
            if let r = h.running {
                try check.nonEmpty(r.trialId, "running.trial_id")
                try check.atLeast(r.attempt, 1, "running.attempt")
                try check.atLeast(r.epoch, 0, "running.epoch")
            }
        case .welcome(let w):
            try check.positive(w.heartbeatInterval, "heartbeat_interval")
        case .ready(let r):
            try check.atLeast(r.slots, 0, "slots")
        case .assign(let a, let checkpoint):
            try check.nonEmpty(a.trialId, "trial_id")
            try check.atLeast(a.trialNumber, 0, "trial_number")
            try check.atLeast(a.attempt, 1, "attempt")
            try check.nonEmpty(a.leaseId, "lease_id")
            try check.positive(a.leaseSeconds, "lease_seconds")
            try check.object(a.config, "config")
            try check.sha256(a.dataset.sha256, "dataset.sha256")
            try check.atLeast(a.dataset.bytes, 0, "dataset.bytes")
            if let r = a.resumeCheckpoint {
                try check.atLeast(r.epoch, 0, "resume_checkpoint.epoch")
                try check.sha256(r.sha256, "resume_checkpoint.sha256")
                if checkpoint == nil { throw .missingPayload(command: .assign) }
            } else if checkpoint != nil {
                throw .unexpectedPayload(command: .assign)
            }
        case .datasetRequest(let r):
            try check.sha256(r.sha256, "sha256")
        case .dataset(let d, let bytes):
            try check.sha256(d.sha256, "sha256")
            if d.bytes != bytes.count { throw .payloadSizeMismatch(command: .dataset, declared: d.bytes, actual: bytes.count) }
        case .progress(let p):
            try check.nonEmpty(p.trialId, "trial_id")
            try check.atLeast(p.attempt, 1, "attempt")
            try check.atLeast(p.epoch, 1, "epoch")
        case .checkpoint(let c, let bytes):
            try check.nonEmpty(c.trialId, "trial_id")
            try check.atLeast(c.attempt, 1, "attempt")
            try check.atLeast(c.epoch, 0, "epoch")
            try check.sha256(c.sha256, "sha256")
            if c.bytes != bytes.count { throw .payloadSizeMismatch(command: .checkpoint, declared: c.bytes, actual: bytes.count) }
        case .result(let r):
            try check.nonEmpty(r.trialId, "trial_id")
            try check.atLeast(r.attempt, 1, "attempt")
            try check.object(r.result, "result")
        case .resultAck(let r):
            try check.nonEmpty(r.trialId, "trial_id")
        case .failed(let f):
            try check.nonEmpty(f.trialId, "trial_id")
            try check.atLeast(f.attempt, 1, "attempt")
        case .stop, .heartbeat, .bye, .refused:
            break
        }
    }
}
