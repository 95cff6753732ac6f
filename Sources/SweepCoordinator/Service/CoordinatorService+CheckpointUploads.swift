import Foundation
import SweepCore
import SweepProtocol
import SweepStore

/// A message from a worker whose checkpoint is still being stored, kept until it is.
struct HeldMessage {
    let message: Message
    let identity: [UInt8]
    let key: String?
}

extension CoordinatorService {
    /// CHECKPOINT: the loop checks the lease and the place, then hands the bytes to the storer and
    /// holds the sender's later messages back until they are stored (`takeStoredCheckpoints`).
    func handleCheckpoint(_ upload: CheckpointUpload, bytes: [UInt8], worker: WorkerID, now: Double) {
        let key = LeaseKey(upload)
        guard acceptFromHolder(key, command: .checkpoint, worker: worker, now: now) else { return }
        guard upload.epoch <= epochs(of: upload.trialId) else {
            reject(key, .outOfRange, command: .checkpoint, worker: worker)
            return
        }
        scheduler.progressReported(trialID: upload.trialId, attempt: upload.attempt, epochSeconds: nil, now: now)
        // Named by attempt too: another attempt's checkpoint of the same epoch must not replace it.
        let name = "epoch-\(upload.epoch)-attempt-\(upload.attempt).safetensors"
        guard let place = setup.folder.checkpointFile(trialID: upload.trialId, name: name) else {
            logger.warning("checkpoint for an unsafe trial id \(upload.trialId.debugDescription) dropped")
            return
        }
        guard let trial = trialsByID[upload.trialId] else { return }
        // A checkpoint is kept only with its row; while the store fails the next one will do.
        guard storeIsWritable else { return }
        let storer: CheckpointStorer
        do { storer = try checkpointStorer() } catch {
            rejectedCheckpoints += 1
            recordEvent("checkpoint", "checkpoint of trial \(upload.trialId) epoch \(upload.epoch) from \(worker) not checked: \(error)",
                        trial: upload.trialId, worker: worker)
            return
        }
        let claim = CheckpointStorer.Claim(
            worker: worker, trialID: upload.trialId, attempt: upload.attempt, epoch: upload.epoch, isBest: upload.isBest,
            sha256: upload.sha256, place: CheckpointStorer.Place(relative: place.relative, path: place.path, folder: place.folder))
        storer.submit(CheckpointStorer.Upload(claim: claim, trial: trial, bytes: bytes))
        heldBack[worker] = heldBack[worker] ?? []
    }

    /// Records what the storer finished, then lets each uploader's held-back messages through in
    /// the order they came (one of them may be the next checkpoint, which holds the rest again).
    func takeStoredCheckpoints(now: Double) {
        guard let storer else { return }
        for finished in storer.takeFinished() {
            recordStored(finished, now: now)
            let worker = finished.claim.worker
            let held = heldBack.removeValue(forKey: worker) ?? []
            for (index, message) in held.enumerated() {
                if heldBack[worker] != nil {
                    heldBack[worker]?.append(contentsOf: held[index...])
                    break
                }
                handle(message.message, identity: message.identity, key: message.key, now: clock.now())
            }
        }
    }

    /// Waits for every upload in flight and records it, with what its senders sent meanwhile.
    func settleCheckpointUploads() {
        guard let storer else { return }
        while storer.pending > 0 {
            storer.waitUntilIdle()
            takeStoredCheckpoints(now: clock.now())
        }
    }

    /// Settles the uploads in flight, then ends the storer's thread.
    func closeCheckpointStorer() {
        settleCheckpointUploads()
        storer?.close()
        storer = nil
    }

    /// Keeps `message` until the sender's checkpoint is stored. A peer that floods meanwhile loses
    /// what is beyond the bound (a worker sends a few messages per epoch).
    func holdBack(_ message: Message, identity: [UInt8], key: String?, worker: WorkerID) {
        guard (heldBack[worker]?.count ?? 0) < Self.maxHeldMessages else {
            noteDropped(peer: worker.rawValue, "\(message.command.rawValue) beyond \(Self.maxHeldMessages) messages sent while its checkpoint was stored")
            return
        }
        heldBack[worker, default: []].append(HeldMessage(message: message, identity: identity, key: key))
    }

    static let maxHeldMessages = 1_000

    private func recordStored(_ finished: CheckpointStorer.Finished, now: Double) {
        let claim = finished.claim
        let what = "checkpoint of trial \(claim.trialID) epoch \(claim.epoch)"
        switch finished.outcome {
        case .digestMismatch(let actual):
            noteDropped(peer: claim.worker.rawValue, "a \(what) whose sha256 is \(actual), not \(claim.sha256)")
            return
        case .rejected(let why):
            rejectedCheckpoints += 1
            recordEvent("checkpoint", "\(what) from \(claim.worker) rejected: \(why)", trial: claim.trialID, worker: claim.worker)
            return
        case .failed(let why):
            logger.error("storing \(what) failed: \(why)")
            return
        case .stored:
            break
        }
        // The lease may have moved on while the file was written (the holder was declared lost, or
        // another attempt's result ended the trial): a row for an attempt that is over could name
        // a checkpoint the trial's kept lineage does not have.
        let relative = claim.place.relative
        guard case .running(let holder, claim.attempt)? = scheduler.state(of: claim.trialID)?.phase else {
            // Unless an earlier upload of the same epoch and attempt is already recorded under that name.
            let named = readStore("checkpoints of trial \(claim.trialID)") { try setup.store.checkpoints(trialID: claim.trialID) }
            if let named, !named.contains(where: { $0.path == relative }) { removeCheckpointFiles([relative]) }
            logger.debug("\(what) attempt \(claim.attempt) stored after its lease ended; not recorded")
            return
        }
        // No message waits for the row: it commits with the next write that must be on disk (the
        // trial's result at the latest), and the files it stops naming go after that commit.
        let byteCount = finished.byteCount
        persistUnnaming("recording checkpoint \(relative)") { tx in
            try tx.recordCheckpoint(trialID: claim.trialID, attempt: claim.attempt, epoch: claim.epoch, path: relative,
                                    sha256: claim.sha256, bytes: byteCount, isBest: claim.isBest).obsoletePaths
        }
        if scheduler.checkpointStored(trialID: claim.trialID, attempt: claim.attempt, worker: holder,
                                      ref: StoredCheckpoint(epoch: claim.epoch, path: relative, sha256: claim.sha256)) {
            apply(scheduler.checkpointReady(trialID: claim.trialID, attempt: claim.attempt, epoch: claim.epoch, now: now), now: now)
        }
    }

    /// The storer, with its own inspectors (the loop keeps one for resumes), made on first use.
    func checkpointStorer() throws -> CheckpointStorer {
        if let storer { return storer }
        let text = try datasetText()
        let made = CheckpointStorer(makeInspector: { CheckpointInspector(text: text) })
        storer = made
        return made
    }

    /// The inspector for resumes, made on first use.
    func checkpointInspector() throws -> CheckpointInspector {
        if let inspector { return inspector }
        let made = CheckpointInspector(text: try datasetText())
        inspector = made
        return made
    }

    /// The dataset text as workers read it, read once.
    func datasetText() throws -> String {
        if let datasetTextRead { return datasetTextRead }
        let text = String(decoding: try setup.dataset.bytes(), as: UTF8.self)
        datasetTextRead = text
        return text
    }
}
