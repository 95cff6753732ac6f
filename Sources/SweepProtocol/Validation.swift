import TrialSpec

/// The largest count (attempt, epoch, size, ...) a message may carry: any arithmetic a receiver
/// does on such a value stays far from overflow. Receivers apply tighter, semantic bounds.
public let wireCountLimit = Int(Int32.max)

/// The longest id (trial id, lease id, worker id) a message may carry.
public let wireIdLimit = 256

/// Range checks the JSON types alone do not express (SPEC.md §3).
struct FieldCheck {
    let command: Command

    func id(_ value: String, _ field: String) throws(ProtocolError) {
        try nonEmpty(value, field)
        if value.utf8.count > wireIdLimit {
            throw .invalidField(command: command, field: field, reason: "longer than \(wireIdLimit) bytes")
        }
    }

    func count(_ value: Int, _ minimum: Int, _ field: String) throws(ProtocolError) {
        try atLeast(value, minimum, field)
        if value > wireCountLimit {
            throw .invalidField(command: command, field: field, reason: "\(value) is above \(wireCountLimit)")
        }
    }

    func claim(_ c: some LeaseClaim, prefix: String = "") throws(ProtocolError) {
        try id(c.trialId, prefix + "trial_id")
        try count(c.attempt, 1, prefix + "attempt")
        try id(c.leaseId, prefix + "lease_id")
    }

    func result(_ r: ResultMetrics, _ field: String) throws(ProtocolError) {
        try count(r.epochsRun, 0, field + ".epochs_run")
        if let best = r.bestEpoch { try count(best, 0, field + ".best_epoch") }
        for (i, point) in r.history.enumerated() { try count(point.epoch, 1, field + ".history[\(i)].epoch") }
    }

    func threads(_ value: Int, _ field: String) throws(ProtocolError) {
        try atLeast(value, 1, field)
        if value > maxWireThreads { throw .invalidField(command: command, field: field, reason: "\(value) is above \(maxWireThreads)") }
    }

    /// A list of distinct cpu ids, each below `maxWireCPU`.
    func cpus(_ values: [Int], _ field: String) throws(ProtocolError) {
        if values.count > maxWireCPU {
            throw .invalidField(command: command, field: field, reason: "\(values.count) entries, above \(maxWireCPU)")
        }
        var seen = Set<Int>()
        for (i, cpu) in values.enumerated() {
            guard (0..<maxWireCPU).contains(cpu) else {
                throw .invalidField(command: command, field: "\(field)[\(i)]", reason: "\(cpu) is not a cpu id in 0...\(maxWireCPU - 1)")
            }
            guard seen.insert(cpu).inserted else {
                throw .invalidField(command: command, field: "\(field)[\(i)]", reason: "cpu \(cpu) is listed twice")
            }
        }
    }

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

    func rate(_ value: Double, _ field: String) throws(ProtocolError) {
        if !(value >= 0) || !value.isFinite {
            throw .invalidField(command: command, field: field, reason: "\(value) is not a finite number ≥ 0")
        }
    }

    func sha256(_ value: String, _ field: String) throws(ProtocolError) {
        let ok = value.utf8.count == 64 && value.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        if !ok { throw .invalidField(command: command, field: field, reason: "\(value.prefix(80).debugDescription) is not 64 lowercase hex digits") }
    }
}

extension Message {
    /// Checks field ranges; the codec calls it after decoding.
    func validate() throws(ProtocolError) {
        let check = FieldCheck(command: command)
        switch self {
        case .hello(let h):
            try check.id(h.workerId, "worker_id")
            try check.count(h.cores, 1, "cores")
            try check.count(h.protocolVersion, 1, "protocol_version")
            if let r = h.running {
                try check.claim(r, prefix: "running.")
                try check.count(r.epoch, 0, "running.epoch")
            }
            if let cpus = h.cpus { try check.cpus(cpus, "cpus") }
            if let prefetch = h.prefetch { try check.count(prefetch, 0, "prefetch") }
        case .welcome(let w):
            try check.positive(w.heartbeatInterval, "heartbeat_interval")
        case .ready(let r):
            try check.count(r.slots, 0, "slots")
            if let assigned = r.assigned { try check.count(assigned, 0, "assigned") }
        case .assign(let a, let checkpoint):
            try check.id(a.trialId, "trial_id")
            try check.count(a.trialNumber, 0, "trial_number")
            try check.count(a.attempt, 1, "attempt")
            try check.id(a.leaseId, "lease_id")
            try check.positive(a.leaseSeconds, "lease_seconds")
            try check.sha256(a.dataset.sha256, "dataset.sha256")
            try check.count(a.dataset.bytes, 0, "dataset.bytes")
            if let r = a.resumeCheckpoint {
                try check.count(r.epoch, 0, "resume_checkpoint.epoch")
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
            try check.claim(p)
            try check.count(p.metrics.epoch, 1, "epoch")
            if let t = p.threads { try check.threads(t, "threads") }
        case .batchProgress(let p):
            try check.claim(p)
            try check.count(p.epoch, 1, "epoch")
            try check.count(p.batches, 1, "batches")
            try check.count(p.batch, 0, "batch")
            if p.batch > p.batches {
                throw .invalidField(command: .batchProgress, field: "batch", reason: "\(p.batch) is above batches (\(p.batches))")
            }
            try check.count(p.tokens, 0, "tokens")
            try check.rate(p.tokensPerSecond, "tokens_per_second")
            if let t = p.threads { try check.threads(t, "threads") }
        case .checkpoint(let c, let bytes):
            try check.claim(c)
            try check.count(c.epoch, 0, "epoch")
            try check.sha256(c.sha256, "sha256")
            if c.bytes != bytes.count { throw .payloadSizeMismatch(command: .checkpoint, declared: c.bytes, actual: bytes.count) }
        case .result(let r):
            try check.claim(r)
            try check.result(r.result, "result")
        case .resultAck(let r):
            try check.id(r.trialId, "trial_id")
            try check.count(r.attempt, 1, "attempt")
            try check.id(r.leaseId, "lease_id")
        case .failed(let f):
            try check.claim(f)
            if let r = f.result { try check.result(r, "result") }
        case .stop(let s):
            if let trialId = s.trialId { try check.id(trialId, "trial_id") }
            if let attempt = s.attempt { try check.count(attempt, 1, "attempt") }
        case .refused(let r):
            if let v = r.receivedVersion { try check.count(v, 0, "received_version") }
            if let v = r.supportedVersion { try check.count(v, 0, "supported_version") }
        case .threads(let t):
            try check.claim(t)
            try check.threads(t.threads, "threads")
            try check.cpus(t.cpus, "cpus")
            if !t.cpus.isEmpty, t.cpus.count != t.threads {
                throw .invalidField(command: .threads, field: "cpus", reason: "\(t.cpus.count) cpus for \(t.threads) threads")
            }
        case .heartbeat, .bye:
            break
        }
    }
}
