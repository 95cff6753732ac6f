import SweepProtocol

/// The field rules of SPEC.md §1.1 and §3, restated apart from the decoder so a test can hold every
/// accepted message against them.
enum SpecRules {
    /// The first rule `message` breaks, or nil.
    static func violation(in message: Message) -> String? {
        func hex(_ text: String) -> Bool {
            text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        }
        func positive(_ value: Double) -> Bool { value > 0 && value.isFinite }
        // §1.1 `id`: 1…256 UTF-8 bytes; `count`: 0…2³¹−1, or from 1 where marked ≥ 1.
        func id(_ text: String) -> Bool { (1...256).contains(text.utf8.count) }
        func count(_ value: Int, from minimum: Int = 0) -> Bool { (minimum...2_147_483_647).contains(value) }
        // §3.2 THREADS and the `threads` of reports: 1…256; `cpus`: distinct ids 0…1023, at most 1024.
        func threads(_ value: Int) -> Bool { (1...256).contains(value) }
        func cpus(_ values: [Int]) -> Bool {
            values.count <= 1024 && values.allSatisfy { (0...1023).contains($0) } && Set(values).count == values.count
        }
        func claim(_ c: some LeaseClaim) -> String? {
            id(c.trialId) && count(c.attempt, from: 1) && id(c.leaseId)
                ? nil : "trial_id \(c.trialId.debugDescription), attempt \(c.attempt), lease_id \(c.leaseId.debugDescription)"
        }
        // §4.2: the result object's counts, and its history's epochs (each ≥ 1).
        func result(_ r: ResultMetrics) -> String? {
            if !count(r.epochsRun) { return "result.epochs_run is \(r.epochsRun)" }
            if let best = r.bestEpoch, !count(best) { return "result.best_epoch is \(best)" }
            if let point = r.history.first(where: { !count($0.epoch, from: 1) }) { return "result.history has epoch \(point.epoch)" }
            return nil
        }
        switch message {
        case .hello(let h):
            if !id(h.workerId) { return "worker_id is \(h.workerId.debugDescription)" }
            if !count(h.cores, from: 1) { return "cores is \(h.cores)" }
            if h.protocolVersion != protocolVersion { return "protocol_version is \(h.protocolVersion)" }
            if let r = h.running {
                if let broken = claim(r) { return "running: \(broken)" }
                if !count(r.epoch) { return "running.epoch is \(r.epoch)" }
            }
            if let c = h.cpus, !cpus(c) { return "cpus is \(c)" }
            if let p = h.prefetch, !count(p) { return "prefetch is \(p)" }
        case .welcome(let w):
            if !positive(w.heartbeatInterval) { return "heartbeat_interval is \(w.heartbeatInterval)" }
        case .ready(let r):
            if !count(r.slots) { return "slots is \(r.slots)" }
            if let assigned = r.assigned, !count(assigned) { return "assigned is \(assigned)" }
        case .assign(let a, let checkpoint):
            if !id(a.trialId) || !id(a.leaseId) { return "trial_id \(a.trialId.debugDescription), lease_id \(a.leaseId.debugDescription)" }
            if !count(a.trialNumber) || !count(a.attempt, from: 1) { return "trial_number \(a.trialNumber), attempt \(a.attempt)" }
            if !positive(a.leaseSeconds) { return "lease_seconds is \(a.leaseSeconds)" }
            if !hex(a.dataset.sha256) || !count(a.dataset.bytes) { return "dataset is \(a.dataset)" }
            if let r = a.resumeCheckpoint, !count(r.epoch) || !hex(r.sha256) { return "resume_checkpoint is \(r)" }
            if (a.resumeCheckpoint == nil) != (checkpoint == nil) { return "checkpoint bytes without resume_checkpoint, or the reverse" }
        case .datasetRequest(let r):
            if !hex(r.sha256) { return "sha256 is \(r.sha256)" }
        case .dataset(let d, let bytes):
            if !hex(d.sha256) { return "sha256 is \(d.sha256)" }
            if d.bytes != bytes.count { return "bytes is \(d.bytes) for a \(bytes.count)-byte payload" }
        case .progress(let p):
            if let broken = claim(p) { return broken }
            if !count(p.metrics.epoch, from: 1) { return "epoch is \(p.metrics.epoch)" }
            if let t = p.threads, !threads(t) { return "threads is \(t)" }
        case .batchProgress(let p):
            if let broken = claim(p) { return broken }
            if !count(p.epoch, from: 1) { return "epoch is \(p.epoch)" }
            if !count(p.batches, from: 1) { return "batches is \(p.batches)" }
            if !count(p.batch) || p.batch > p.batches { return "batch is \(p.batch) of \(p.batches)" }
            if !count(p.tokens) { return "tokens is \(p.tokens)" }
            if !(p.tokensPerSecond >= 0 && p.tokensPerSecond.isFinite) { return "tokens_per_second is \(p.tokensPerSecond)" }
            if let t = p.threads, !threads(t) { return "threads is \(t)" }
        case .checkpoint(let c, let bytes):
            if let broken = claim(c) { return broken }
            if !count(c.epoch) { return "epoch is \(c.epoch)" }
            if !hex(c.sha256) { return "sha256 is \(c.sha256)" }
            if c.bytes != bytes.count { return "bytes is \(c.bytes) for a \(bytes.count)-byte payload" }
        case .result(let r):
            if let broken = claim(r) ?? result(r.result) { return broken }
        case .resultAck(let r):
            if !id(r.trialId) || !count(r.attempt, from: 1) || !id(r.leaseId) { return "acknowledges \(r)" }
        case .failed(let f):
            if let broken = claim(f) ?? f.result.flatMap(result) { return broken }
        case .stop(let s):
            if let trialId = s.trialId, !id(trialId) { return "trial_id is \(trialId.debugDescription)" }
            if let attempt = s.attempt, !count(attempt, from: 1) { return "attempt is \(attempt)" }
        case .refused(let r):
            if let v = r.receivedVersion, !count(v) { return "received_version is \(v)" }
            if let v = r.supportedVersion, !count(v) { return "supported_version is \(v)" }
        case .threads(let t):
            if let broken = claim(t) { return broken }
            if !threads(t.threads) { return "threads is \(t.threads)" }
            if !cpus(t.cpus) { return "cpus is \(t.cpus)" }
            if !t.cpus.isEmpty, t.cpus.count != t.threads { return "\(t.cpus.count) cpus for \(t.threads) threads" }
        case .heartbeat, .bye:
            break  // BYE's code is typed; an unknown code cannot decode
        }
        return nil
    }
}
