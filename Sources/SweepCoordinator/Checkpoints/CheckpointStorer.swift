import Foundation
import SweepCore
import SystemSupport

/// Checks and durably writes uploaded checkpoints on threads of their own. Hashing and inspecting a
/// checkpoint and syncing it, its temporary name's rename and a new trial folder cost more than the
/// rest of a trivial trial's messages together, and tens of milliseconds for a model of a few MB;
/// done on the loop, every other worker waited that long. The loop hands an upload over
/// (`submit`), polls `readFD`, and takes what finished (`takeFinished`). It holds back the
/// uploader's later messages meanwhile, so no report overtakes its checkpoint, and so each worker
/// has at most one upload here: several threads store different workers' uploads side by side,
/// each mostly waiting for its fsyncs, and finish in any order.
final class CheckpointStorer: @unchecked Sendable {
    /// Where an upload goes: `relative` is what the store records.
    struct Place: Sendable {
        let relative: String
        let path: String
        let folder: String
    }

    /// What an upload says, as the loop accepted it (lease and place checked); `sha256` is the
    /// sender's claim, checked here.
    struct Claim: Sendable {
        let worker: WorkerID
        let trialID: String
        let attempt: Int
        let epoch: Int
        let isBest: Bool
        let sha256: String
        let place: Place
    }

    struct Upload: Sendable {
        let claim: Claim
        /// The trial the checkpoint must belong to.
        let trial: Trial
        let bytes: [UInt8]
    }

    enum Outcome: Sendable, Equatable {
        /// Inspected, written and synced under its place.
        case stored
        /// The bytes hash to `actual`, not to the claimed digest: damaged or forged in transit.
        case digestMismatch(actual: String)
        /// Inspection refused it; nothing was written.
        case rejected(String)
        /// Writing failed; the file may be missing but never torn.
        case failed(String)
    }

    /// A finished upload, without its bytes.
    struct Finished: Sendable {
        let claim: Claim
        let byteCount: Int
        let outcome: Outcome
    }

    /// Runs on a storer's thread before each upload; tests hold uploads back with it.
    private let beforeEach: (@Sendable () -> Void)?
    /// Guards everything below.
    private let condition = NSCondition()
    private var waiting: [Upload] = []
    /// Uploads being stored now, one per busy thread.
    private var storing = 0
    private var finished: [Finished] = []
    private var closed = false
    private let wakeup = WakeupPipe()

    /// Threads a storer runs: uploads of more workers than this wait for a free one.
    static let defaultThreads = 4

    /// Starts `threads` threads (`ckpt-storer` in `top -H`), each with its own inspector from
    /// `makeInspector` (an inspector keeps the layouts it proved, and is not shared); `close()`
    /// ends them.
    init(threads: Int = defaultThreads, makeInspector: @escaping @Sendable () -> CheckpointInspector,
         beforeEach: (@Sendable () -> Void)? = nil) {
        self.beforeEach = beforeEach
        for _ in 0..<max(1, threads) {
            let thread = Thread { [self] in
                CurrentThread.setName("ckpt-storer")
                work(inspector: makeInspector())
            }
            thread.start()
        }
    }

    /// Register this with the poller: readable when an upload has finished.
    var readFD: Int32 { wakeup.readFD }

    /// Uploads submitted and not yet taken back.
    var pending: Int {
        condition.lock(); defer { condition.unlock() }
        return waiting.count + storing + finished.count
    }

    func submit(_ upload: Upload) {
        condition.lock()
        waiting.append(upload)
        condition.signal()
        condition.unlock()
    }

    /// What finished since the last call, oldest first.
    func takeFinished() -> [Finished] {
        wakeup.drain()
        condition.lock(); defer { condition.unlock() }
        let out = finished
        finished = []
        return out
    }

    /// Blocks until every submitted upload has finished (it may still wait to be taken).
    func waitUntilIdle() {
        condition.lock()
        while !waiting.isEmpty || storing > 0 { condition.wait() }
        condition.unlock()
    }

    /// Ends the threads once the uploads already submitted are stored.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func work(inspector: CheckpointInspector) {
        while true {
            condition.lock()
            while waiting.isEmpty && !closed { condition.wait() }
            guard !waiting.isEmpty else {
                condition.unlock()
                return
            }
            // O(n) in the uploads waiting, at most one per worker.
            let upload = waiting.removeFirst()
            storing += 1
            condition.unlock()

            beforeEach?()
            let outcome = store(upload, inspector: inspector)
            condition.lock()
            storing -= 1
            finished.append(Finished(claim: upload.claim, byteCount: upload.bytes.count, outcome: outcome))
            condition.broadcast()
            condition.unlock()
            wakeup.wake()
        }
    }

    private func store(_ upload: Upload, inspector: CheckpointInspector) -> Outcome {
        let digest = SHA256Hex.digest(upload.bytes)
        guard digest == upload.claim.sha256 else { return .digestMismatch(actual: digest) }
        // Checked in memory, so a bad upload is never written anywhere.
        do {
            try inspector.check(bytes: upload.bytes, source: "the upload of \(upload.claim.place.relative)", trial: upload.trial,
                                epoch: upload.claim.epoch)
        } catch {
            return .rejected("\(error)")
        }
        do {
            // A new trial folder's entry is synced, so the rows naming files in it survive a power cut.
            try DurableFile.createFolder(atPath: upload.claim.place.folder)
            // Written and synced under a temporary name, so a torn write never replaces a good file;
            // the rename into place is synced before any row names the file.
            let incoming = upload.claim.place.path + ".incoming"
            try DurableFile.removeIfPresent(atPath: incoming)
            try DurableFile.create(atPath: incoming, with: upload.bytes)
            try DurableFile.rename(atPath: incoming, to: upload.claim.place.path)
        } catch {
            return .failed("\(error)")
        }
        return .stored
    }
}
