import Foundation
import SweepCore
import SweepProtocol
import SweepStore
import SystemSupport
import ZeroMQ

extension CoordinatorService {
    /// One routed message: decode (malformed → typed error, logged, dropped), then dispatch.
    /// `key` is the CURVE key (ZAP User-Id) of the connection it came in on, nil without CURVE.
    func handle(frames: [[UInt8]], key: String? = nil) {
        let now = clock.now()
        let identity: [UInt8]
        let message: Message
        do {
            (identity, message) = try codec.decode(routedFrames: frames)
        } catch {
            let from = frames.first.map(Hex.string) ?? "?"
            if case .unsupportedVersion(let received, let supported) = error, let id = frames.first, !id.isEmpty {
                refuse(Refused.versionMismatch(received: received, supported: supported), identity: id,
                       peerMagic: frames.count > 1 ? frames[1] : Codec.magic, who: from)
            } else {
                noteDropped(peer: from, "a malformed message: \(error)")
            }
            return
        }
        handle(message, identity: identity, key: key, now: now)
    }

    /// One decoded message. A worker whose checkpoint is being stored is held to its order: what
    /// it sends meanwhile waits (`HeldMessage`), so no report or result overtakes that checkpoint.
    func handle(_ message: Message, identity: [UInt8], key: String?, now: Double) {
        let worker = WorkerID(Hex.string(identity))
        if case .hello(let hello) = message {
            guard heldBack[worker] == nil else {
                holdBack(message, identity: identity, key: key, worker: worker)
                return
            }
            handleHello(hello, identity: identity, worker: worker, key: key, now: now)
            return
        }
        guard keyMatches(key, worker: worker) else {
            refuseKey("socket identity \(worker) said HELLO with another key", command: message.command,
                      identity: identity, worker: worker, key: key)
            return
        }
        guard identities[worker] != nil else {
            // A worker we do not know (e.g. we restarted, or dropped it as lost): it must greet us first.
            noteDropped(peer: worker.rawValue, "\(message.command.rawValue) from an identity that has not said HELLO")
            send(.bye(Bye(code: .unknownWorker, reason: "send HELLO")), identity: identity)
            return
        }
        liveness[worker]?.heard(at: now)
        ledger.seen[worker.rawValue] = Date()
        apply(scheduler.heard(from: worker, now: now), now: now)
        if heldBack[worker] != nil {
            holdBack(message, identity: identity, key: key, worker: worker)
            return
        }
        switch message {
        case .ready(let ready):
            currentEpoch[worker] = nil
            apply(scheduler.ready(worker, assigned: ready.assigned, now: now), now: now)
        case .heartbeat:
            break
        case .progress(let report):
            handleProgress(report, worker: worker, now: now)
        case .batchProgress(let report):
            handleBatchProgress(report, worker: worker, now: now)
        case .checkpoint(let upload, let bytes):
            handleCheckpoint(upload, bytes: bytes, worker: worker, now: now)
        case .result(let result):
            handleResult(result, worker: worker, now: now)
        case .failed(let failed):
            handleFailed(failed, worker: worker, now: now)
        case .datasetRequest(let request):
            handleDatasetRequest(request, worker: worker, now: now)
        case .bye(let bye):
            recordEvent("worker", "worker \(worker) left: \(bye.code.rawValue)\(bye.reason.map { " (\($0))" } ?? "")", worker: worker)
            forget(worker, now: now, dispatch: true)
        case .welcome, .assign, .dataset, .resultAck, .stop, .refused, .hello, .threads:
            noteDropped(peer: worker.rawValue, "\(message.command.rawValue), which only the coordinator sends")
        }
    }

    /// REFUSED (the peer speaks another version) under the peer's own magic; no state is kept for it.
    func refuse(_ refusal: Refused, identity: [UInt8], peerMagic: [UInt8], who: String) {
        // Recorded once per peer: a peer retrying in a loop must not grow the events table.
        if peerGuards.noteRefusal(peer: who) {
            recordEvent("refused", "refused worker \(who): \(refusal.reason); further refusals of this peer are only counted")
        }
        do {
            try socket.send(codec.encodeRefusal(refusal, to: identity, peerMagic: peerMagic))
        } catch {
            logger.debug("REFUSED to \(who) not sent: \(error)")
        }
    }

    /// Counts a dropped message; the first one per peer is logged and recorded, later ones only counted.
    func noteDropped(peer: String, _ what: String, trial: String? = nil) {
        droppedMessages += 1
        // Bounded: a peer that keeps reconnecting under new identities cannot grow the set forever.
        guard droppedPeers.count < 10_000, droppedPeers.insert(peer).inserted else { return }
        logger.warning("dropped \(what) (peer \(peer); further drops from it are only counted)")
        recordEvent("dropped", "dropped \(what) from \(peer); further drops from this peer are only counted", trial: trial)
    }

    /// Drops a report the sender may not make and tells it to STOP that attempt.
    func reject(_ key: LeaseKey, _ code: StopCode, command: Command, worker: WorkerID) {
        // Reports the worker sent before its early-stopping or pause STOP arrived are expected, not suspect.
        guard code != .earlyStopped, code != .paused else {
            send(.stop(Stop(trialId: key.trialID, attempt: key.attempt, code: code)), to: worker)
            return
        }
        noteDropped(peer: worker.rawValue, "\(command.rawValue) for trial \(key.trialID.prefix(80)) attempt \(key.attempt): \(code.rawValue)",
                    trial: trialsByID[key.trialID] == nil ? nil : key.trialID)
        send(.stop(Stop(trialId: key.trialID, attempt: key.attempt, code: code)), to: worker)
    }

    /// HELLO (the codec has already refused one with another `protocol_version`).
    func handleHello(_ hello: Hello, identity: [UInt8], worker: WorkerID, key: String?, now: Double) {
        guard !exitedLocalWorkers.contains(hello.workerId) else {
            logger.debug("HELLO from local worker \(hello.workerId), which has exited; ignored")
            return
        }
        // Under CURVE a worker_id, its identities and its leases belong to the key that first said HELLO with them.
        if let why = bindKey(key, hello: hello, worker: worker) {
            refuseKey(why, command: .hello, identity: identity, worker: worker, key: key)
            return
        }
        // The same worker process reconnecting under a new socket identity replaces its old entry.
        if let old = workerProcessIDs[hello.workerId], old != worker {
            forget(old, now: now, dispatch: false)
        }
        workerProcessIDs[hello.workerId] = worker
        identities[worker] = identity
        liveness[worker] = PeerLiveness(now: now, heartbeatInterval: options.policy.heartbeatInterval,
                                        suspectAfterBeats: options.policy.suspectAfterMissedBeats,
                                        lostAfter: max(30, options.policy.lostAfter))
        persist("recording worker \(worker)") { tx in
            _ = try tx.upsertWorker(workerID: worker.rawValue, host: hello.host, cores: hello.cores, build: hello.build)
        }
        send(.welcome(Welcome(coordinatorId: coordinatorID, heartbeatInterval: options.policy.heartbeatInterval)), to: worker)
        recordEvent("worker", "worker \(worker) joined from \(hello.host.prefix(200)) (\(hello.cores) cores, build \(hello.build.prefix(200)))",
                    worker: worker)
        let running = hello.running.map(LeaseKey.init)
        let events = scheduler.hello(worker, name: hello.workerId, host: hello.host, cores: hello.cores, cpus: hello.cpus ?? [],
                                     running: running, prefetch: hello.prefetch ?? 0, now: now)
        apply(events, now: now)
        if let running = hello.running, case .running(worker, running.attempt)? = scheduler.state(of: running.trialId)?.phase {
            currentEpoch[worker] = min(running.epoch, epochs(of: running.trialId))
        }
    }

    /// The trial's configured epoch count: the bound every epoch number in a report must respect.
    func epochs(of trialID: String) -> Int {
        trialsByID[trialID]?.config.training.epochs ?? 0
    }

    /// Local worker processes that died: their trials are requeued now (a charged attempt), not
    /// after the lease runs out, and nothing more is assigned to them.
    func handleLocalWorkerExits(now: Double) {
        let exits = localWorkerExits.take()
        guard !exits.isEmpty else { return }
        // What a worker uploaded before it died is kept: its trial resumes from that checkpoint.
        settleCheckpointUploads()
        for exit in exits {
            exitedLocalWorkers.insert(exit.workerID)
            guard let worker = workerProcessIDs[exit.workerID] else { continue }
            let reason = "worker \(worker) (pid \(exit.pid)) exited with \(exit.how)"
            recordEvent("worker", reason, worker: worker)
            let events = scheduler.exited(worker, reason: reason, now: now)
            identities[worker] = nil
            liveness[worker] = nil
            currentEpoch[worker] = nil
            workerProcessIDs[exit.workerID] = nil
            apply(events, now: now)
        }
    }

    /// Drops a worker from every table; its trial is requeued (and, if `dispatch`, reassigned).
    func forget(_ worker: WorkerID, now: Double, dispatch: Bool) {
        let events = dispatch ? scheduler.bye(worker, now: now) : scheduler.forget(worker, now: now)
        identities[worker] = nil
        liveness[worker] = nil
        currentEpoch[worker] = nil
        workerProcessIDs = workerProcessIDs.filter { $0.value != worker }
        apply(events, now: now)
    }

    /// Judges a non-result report: only the live lease holder may write.
    func acceptFromHolder(_ key: LeaseKey, command: Command, worker: WorkerID, now: Double) -> Bool {
        let (verdict, events) = scheduler.judge(key, from: worker, kind: .progress, now: now)
        apply(events, now: now)
        switch verdict {
        case .holder:
            return true
        case .rejected(let code):
            reject(key, code, command: command, worker: worker)
        case .lateHolder, .duplicate:
            reject(key, .leaseLost, command: command, worker: worker)
        }
        return false
    }

    func handleProgress(_ report: ProgressReport, worker: WorkerID, now: Double) {
        let key = LeaseKey(report)
        guard acceptFromHolder(key, command: .progress, worker: worker, now: now) else { return }
        let metrics = report.metrics
        guard metrics.epoch <= epochs(of: report.trialId) else {
            reject(key, .outOfRange, command: .progress, worker: worker)
            return
        }
        currentEpoch[worker] = metrics.epoch
        if let threads = report.threads { noteThreads(threads, of: key, now: now) }
        scheduler.progressReported(trialID: report.trialId, attempt: report.attempt, epochSeconds: metrics.seconds, now: now)
        let leaseUntil = Date().addingTimeInterval(options.policy.lostAfter)
        persist("recording epoch \(metrics.epoch) of trial \(report.trialId)") { tx in
            _ = try tx.recordEpoch(trialID: report.trialId, attempt: report.attempt, metrics)
            _ = try tx.renewLease(trialID: report.trialId, workerID: worker.rawValue, until: leaseUntil)
        }
        resultsDirty = true
        recordEvent("progress", "trial \(report.trialId) epoch \(metrics.epoch)/\(epochs(of: report.trialId)): "
                    + "train \(FixedPointText.string(metrics.trainLoss, places: 4)) val \(FixedPointText.string(metrics.valLoss, places: 4)) "
                    + "acc \(FixedPointText.string(metrics.valAccuracy, places: 3)) (\(worker.rawValue))",
                    trial: report.trialId, worker: worker)
        apply(scheduler.epochReported(trialID: report.trialId, attempt: report.attempt, epoch: metrics.epoch,
                                      valLoss: metrics.valLoss, seconds: metrics.seconds, now: now), now: now)
    }

    /// The newest stored checkpoint of `trial` that is intact and passes inspection, trying the
    /// scheduler's latest, then the store's latest and best: a resume never fails on a bad file
    /// while a good one exists; with none the trial starts over.
    func usableCheckpoint(for trial: Trial, preferred: StoredCheckpoint?) -> (ref: StoredCheckpoint, bytes: [UInt8])? {
        var candidates: [StoredCheckpoint] = preferred.map { [$0] } ?? []
        for record in [readStore("latest checkpoint of trial \(trial.id)", { try setup.store.latestCheckpoint(trialID: trial.id) }),
                       readStore("best checkpoint of trial \(trial.id)", { try setup.store.bestCheckpoint(trialID: trial.id) })] {
            if let record = record ?? nil {
                candidates.append(StoredCheckpoint(epoch: record.epoch, path: record.path, sha256: record.sha256))
            }
        }
        var tried: Set<String> = []
        for ref in candidates.sorted(by: { $0.epoch > $1.epoch }) where tried.insert(ref.path).inserted {
            let url = setup.folder.absolute(ref.path)
            guard !ref.path.contains(".."), let data = try? Data(contentsOf: url), SHA256Hex.digest(data) == ref.sha256 else {
                recordEvent("checkpoint", "checkpoint \(ref.path) of trial \(trial.id) is missing or damaged; not resuming from it",
                            trial: trial.id)
                continue
            }
            do {
                try checkpointInspector().check(path: url.path, trial: trial, epoch: ref.epoch)
            } catch {
                recordEvent("checkpoint", "checkpoint \(ref.path) of trial \(trial.id) cannot be resumed: \(error)", trial: trial.id)
                continue
            }
            return (ref, [UInt8](data))
        }
        return nil
    }

    func removeCheckpointFiles(_ paths: [String]) {
        for obsolete in paths where !obsolete.contains("..") {
            _ = try? FileManager.default.removeItem(at: setup.folder.absolute(obsolete))
        }
    }

    func handleDatasetRequest(_ request: DatasetRequest, worker: WorkerID, now: Double) {
        // Only the sweep's own dataset is ever sent: a request names a hash, never a path.
        guard request.sha256 == setup.dataset.sha256 else {
            noteDropped(peer: worker.rawValue, "DATASET_REQUEST for unknown dataset \(request.sha256)")
            return
        }
        // A whole dataset per request would let one peer make us read and queue gigabytes.
        guard peerGuards.mayServeDataset(to: worker, now: now) else {
            noteDropped(peer: worker.rawValue, "DATASET_REQUEST within \(Int(PeerGuards.datasetInterval)) s of the last DATASET sent to it")
            return
        }
        do {
            let bytes = [UInt8](try setup.dataset.bytes())
            send(.dataset(sha256: setup.dataset.sha256, bytes: bytes), to: worker)
        } catch {
            logger.error("reading dataset \(setup.dataset.path.path) failed: \(error)")
        }
    }

    // MARK: Scheduler events

    func apply(_ events: [SchedulerEvent], now: Double) {
        for event in events {
            switch event {
            case .assign(let assignment):
                assign(assignment, now: now)
            case .stop(let worker, let trialID, let attempt, let code):
                send(.stop(Stop(trialId: trialID, attempt: attempt, code: code)), to: worker)
            case .requeued(let trialID, let attempt, let reason):
                persist("requeueing trial \(trialID)") { tx in
                    // Attempt 0: the attempt row was already closed by whoever reported the failure.
                    if attempt > 0 { _ = try tx.endAttempt(trialID: trialID, attempt: attempt, outcome: "lost", message: reason) }
                    _ = try tx.requeue(trialID: trialID)
                }
                recordEvent("requeue", "trial \(trialID) attempt \(attempt) requeued: \(reason)", trial: trialID)
            case .paused(let trialID, let attempt, let epoch, let reason):
                persist("pausing trial \(trialID)") { tx in
                    _ = try tx.endAttempt(trialID: trialID, attempt: attempt, outcome: "paused", message: reason)
                    _ = try tx.requeue(trialID: trialID)
                }
                for entry in scheduler.workerEntries where entry.trialID == nil { currentEpoch[entry.id] = nil }
                recordEvent("pause", "trial \(trialID) attempt \(attempt) paused after epoch \(epoch): \(reason)", trial: trialID)
            case .trialFailed(let trialID, let attempts, let reason):
                persist("marking trial \(trialID) failed") { tx in
                    _ = try tx.endAttempt(trialID: trialID, attempt: attempts, outcome: "infra", message: reason)
                    _ = try tx.markFinished(trialID: trialID, status: .failed)
                }
                resultsDirty = true
                recordEvent("failed", "trial \(trialID) failed after \(attempts) attempts: \(reason)", trial: trialID)
            case .workerSuspect(let worker):
                recordEvent("worker", "worker \(worker) is suspect (no message for \(Int(options.policy.heartbeatInterval) * options.policy.suspectAfterMissedBeats) s)", worker: worker)
            case .workerRecovered(let worker):
                recordEvent("worker", "worker \(worker) is back", worker: worker)
            case .workerLost(let worker):
                recordEvent("worker", "worker \(worker) lost", worker: worker)
                identities[worker] = nil
                liveness[worker] = nil
                currentEpoch[worker] = nil
            case .workerQuarantined(let worker):
                persist("quarantining worker \(worker)") { tx in
                    _ = try tx.setQuarantined(workerID: worker.rawValue, true)
                }
                recordEvent("worker", "worker \(worker) quarantined after \(options.policy.quarantineAfterInfraFailures) infra failures in a row", worker: worker)
            case .workerReleased(let worker):
                persist("releasing worker \(worker)") { tx in
                    _ = try tx.setQuarantined(workerID: worker.rawValue, false)
                }
                recordEvent("worker", "worker \(worker) released from quarantine after \(Int(options.policy.quarantineSeconds)) s (on probation)", worker: worker)
            case .adopted(let worker, let trialID, let attempt):
                let host = scheduler.worker(worker)?.host
                let leaseID = scheduler.state(of: trialID)?.leases[attempt]?.id
                let leaseUntil = Date().addingTimeInterval(options.policy.lostAfter)
                persist("re-adopting trial \(trialID)") { tx in
                    _ = try tx.adoptRunning(trialID: trialID, attempt: attempt, workerID: worker.rawValue, host: host,
                                               leaseID: leaseID, leaseExpiresAt: leaseUntil)
                }
                recordEvent("adopt", "trial \(trialID) attempt \(attempt) re-adopted from worker \(worker)", trial: trialID, worker: worker)
            case .decision, .stopped, .promoted, .budgetSpent:
                applyEarlyStopping(event)
            case .threads(let command):
                sendThreads(command)
            }
        }
    }

    func assign(_ assignment: Assignment, now: Double) {
        guard let trial = trialsByID[assignment.trialID] else { return }
        // Recorded before it is sent: an assignment the store does not know would outlive a restart
        // of the coordinator in the worker alone.
        guard storeIsWritable else {
            scheduler.unassign(assignment, now: now)
            return
        }
        // The checkpoint to resume from is chosen first, so the assignment and its event commit together.
        var checkpointBytes: [UInt8]?
        var resume: SweepProtocol.CheckpointRef?
        if assignment.resumeFrom != nil, let usable = usableCheckpoint(for: trial, preferred: assignment.resumeFrom) {
            checkpointBytes = usable.bytes
            resume = SweepProtocol.CheckpointRef(epoch: usable.ref.epoch, sha256: usable.ref.sha256)
        } else if assignment.resumeFrom != nil {
            recordEvent("checkpoint", "trial \(trial.id) has no usable checkpoint; it starts over", trial: trial.id)
        }
        let from = resume.map { " from epoch \($0.epoch)" } ?? ""
        let entry = scheduler.worker(assignment.worker)
        let held = entry?.heldTrialIDs.contains(trial.id) == true
        let event = "trial \(trial.id) (#\(trial.number)) attempt \(assignment.attempt) → worker \(assignment.worker)\(from)"
            + (held ? " (held behind its running trial)" : "")
        let leaseUntil = Date().addingTimeInterval(options.policy.lostAfter)
        let message = Assign(trialId: trial.id, trialNumber: trial.number, attempt: assignment.attempt,
                             leaseId: assignment.leaseID, leaseSeconds: options.policy.lostAfter,
                             config: trial.config, seed: trial.seed,
                             dataset: DatasetRef(name: setup.dataset.name, sha256: setup.dataset.sha256,
                                                 bytes: setup.dataset.byteCount),
                             resumeCheckpoint: resume)
        let record = { @Sendable (tx: StoreTransaction) throws -> Int in
            let attempt = try tx.markRunning(trialID: trial.id, workerID: assignment.worker.rawValue, host: entry?.host,
                                             workerName: entry?.name, leaseID: assignment.leaseID, leaseExpiresAt: leaseUntil)
            try tx.appendEvent(kind: "assign", message: event, trialID: trial.id, workerID: assignment.worker.rawValue)
            return attempt
        }
        if held {
            // Its worker is busy: the assignment rides on the commit that ends this turn (with the
            // results and other held assignments of the turn), and goes out once that is on disk.
            guard persist("recording the assignment of trial \(trial.id)", { _ = try record($0) }) else {
                scheduler.unassign(assignment, now: now)
                return
            }
            afterQueuedWrites(promptly: true) { [unowned self] in
                // Unless the worker gave it back meanwhile (it left, or said READY holding nothing).
                guard case .running(assignment.worker, assignment.attempt)? = scheduler.state(of: trial.id)?.phase else { return }
                progress.log(event)
                send(message, checkpoint: checkpointBytes, to: assignment.worker)
            }
            return
        }
        let attempt: Int
        do {
            attempt = try commit(record)
        } catch {
            scheduler.unassign(assignment, now: now)
            storeFailed("recording the assignment of trial \(trial.id)", error)
            return
        }
        progress.log(event)
        if attempt != assignment.attempt {
            logger.warning("trial \(trial.id): store numbered attempt \(attempt), scheduler \(assignment.attempt)")
        }
        send(message, checkpoint: checkpointBytes, to: assignment.worker)
        loopWait.begin(at: clock.now())
    }
}
