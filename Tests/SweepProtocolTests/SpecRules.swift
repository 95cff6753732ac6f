import SweepProtocol

/// The field rules of SPEC.md §3, restated apart from the decoder so a test can hold every
/// accepted message against them.
enum SpecRules {
    /// The first rule `message` breaks, or nil.
    static func violation(in message: Message) -> String? {
        func hex(_ text: String) -> Bool {
            text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        }
        func positive(_ value: Double) -> Bool { value > 0 && value.isFinite }
        func lease(_ id: String) -> Bool { !id.isEmpty && id.utf8.count <= 256 }
        switch message {
        case .hello(let h):
            if h.workerId.isEmpty { return "worker_id is empty" }
            if h.cores < 1 { return "cores is \(h.cores)" }
            if h.protocolVersion != protocolVersion { return "protocol_version is \(h.protocolVersion)" }
            if let r = h.running, r.trialId.isEmpty || r.attempt < 1 || r.epoch < 0 || !lease(r.leaseId) { return "running is \(r)" }
        case .welcome(let w):
            if !positive(w.heartbeatInterval) { return "heartbeat_interval is \(w.heartbeatInterval)" }
        case .ready(let r):
            if r.slots < 0 { return "slots is \(r.slots)" }
        case .assign(let a, let checkpoint):
            if a.trialId.isEmpty || a.leaseId.isEmpty { return "trial_id or lease_id is empty" }
            if a.trialNumber < 0 || a.attempt < 1 { return "trial_number \(a.trialNumber), attempt \(a.attempt)" }
            if !positive(a.leaseSeconds) { return "lease_seconds is \(a.leaseSeconds)" }
            if !hex(a.dataset.sha256) || a.dataset.bytes < 0 { return "dataset is \(a.dataset)" }
            if let r = a.resumeCheckpoint, r.epoch < 0 || !hex(r.sha256) { return "resume_checkpoint is \(r)" }
            if (a.resumeCheckpoint == nil) != (checkpoint == nil) { return "checkpoint bytes without resume_checkpoint, or the reverse" }
        case .datasetRequest(let r):
            if !hex(r.sha256) { return "sha256 is \(r.sha256)" }
        case .dataset(let d, let bytes):
            if !hex(d.sha256) { return "sha256 is \(d.sha256)" }
            if d.bytes != bytes.count { return "bytes is \(d.bytes) for a \(bytes.count)-byte payload" }
        case .progress(let p):
            if p.trialId.isEmpty || p.attempt < 1 || p.epoch < 1 { return "trial_id \(p.trialId), attempt \(p.attempt), epoch \(p.epoch)" }
            if !lease(p.leaseId) { return "lease_id is \(p.leaseId)" }
        case .checkpoint(let c, let bytes):
            if c.trialId.isEmpty || c.attempt < 1 || c.epoch < 0 { return "trial_id \(c.trialId), attempt \(c.attempt), epoch \(c.epoch)" }
            if !lease(c.leaseId) { return "lease_id is \(c.leaseId)" }
            if !hex(c.sha256) { return "sha256 is \(c.sha256)" }
            if c.bytes != bytes.count { return "bytes is \(c.bytes) for a \(bytes.count)-byte payload" }
        case .result(let r):
            if r.trialId.isEmpty || r.attempt < 1 { return "trial_id \(r.trialId), attempt \(r.attempt)" }
            if !lease(r.leaseId) { return "lease_id is \(r.leaseId)" }
            if r.result.epochsRun < 0 { return "epochs_run is \(r.result.epochsRun)" }
        case .resultAck(let r):
            if r.trialId.isEmpty { return "trial_id is empty" }
        case .failed(let f):
            if f.trialId.isEmpty || f.attempt < 1 { return "trial_id \(f.trialId), attempt \(f.attempt)" }
            if !lease(f.leaseId) { return "lease_id is \(f.leaseId)" }
        case .stop, .heartbeat, .bye, .refused:
            break
        }
        return nil
    }
}
