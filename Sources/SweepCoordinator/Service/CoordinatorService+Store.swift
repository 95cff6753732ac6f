import Foundation
import SweepProtocol
import SweepStore

/// sweep.db writes. While a run lasts the scheduler's memory is the truth and the store follows
/// it in order. Writes queue here and commit together, on the store writer's thread
/// (`StoreWriter`), one batch at a time: at the end of a turn of the loop once the oldest has
/// waited `flushDelay`, the turn found nothing to do, or a message a worker will soon need waits
/// for them; while a batch commits, the loop goes on and the next writes queue behind it. A result
/// queues durably, with its acknowledgement held until it has committed (`afterQueuedWrites`): a
/// trial's epochs, checkpoint row, result and events and the next assignment usually share one
/// commit. Every commit rewrites each page it touches, so fewer commits write fewer pages. An
/// assignment to an idle worker commits on the loop at once (`commit`), behind the batch in flight.
/// A write that fails (disk full, read-only folder, a lock held too long) is kept, with every
/// later one behind it, and retried with backoff; meanwhile nothing new is assigned (an assignment
/// is recorded before it is sent) and no result is acknowledged (the worker keeps it and sends it
/// again). When the writes go through again, the queue drains and work resumes; a store still
/// failing after `CoordinatorOptions.storeFailureLimit` seconds ends the run, naming the file and
/// the error, so that running the same command again resumes from what was written.
struct StoreWriteQueue {
    typealias Write = StoreWriter.Write

    /// A batch handed to the writer and not yet committed.
    struct InFlight {
        let writes: [Write]
        let durable: Bool
        let queuedSince: Double?
        var afterCommit: [() -> Void]
    }
    var pending: [Write] = []
    var inFlight: InFlight?
    /// Whether a queued write must be committed at synchronous FULL (a result).
    var durable = false
    /// What waits for the queued writes to be on disk (a result's RESULT_ACK): run, in order, once
    /// they have committed; while the store fails they wait for the retry that gets through.
    var afterCommit: [() -> Void] = []
    /// Whether a message that a worker will soon need waits for the queued writes (a held trial's
    /// ASSIGN): they are due at the end of this turn instead of riding on a later commit.
    var promptly = false
    /// When the oldest write still queued was queued (nil: none queued).
    var queuedSince: Double?
    var failingSince: Double?
    var lastError = ""
    var backoff = Backoff(initial: 0.5, maximum: 8)
    /// Beyond this many queued writes the run stops rather than grow without bound.
    static let capacity = 100_000
    /// Longest a queued write waits for a commit to ride on while messages keep coming. A crash
    /// loses at most this much bookkeeping, all of which a restart rebuilds or a result repeats
    /// (its curve refills lost epochs); results are acknowledged only once committed.
    static let flushDelay = 0.1

    /// Takes every queued write, with what waits for them, as the next batch.
    mutating func takeBatch() -> InFlight {
        defer {
            pending = []
            afterCommit = []
            durable = false
            promptly = false
            queuedSince = nil
        }
        return InFlight(writes: pending, durable: durable, queuedSince: queuedSince, afterCommit: afterCommit)
    }

    /// A batch that did not commit goes back in front of what was queued since, as it was.
    mutating func putBack(_ batch: InFlight) {
        pending = batch.writes + pending
        afterCommit = batch.afterCommit + afterCommit
        durable = durable || batch.durable
        queuedSince = batch.queuedSince ?? queuedSince
    }
}

extension CoordinatorService {
    var storeIsWritable: Bool { storeWrites.failingSince == nil }

    /// A read whose failure the run outlives (it only loses a detail: a cell, a fallback, a speed
    /// estimate); the failure is logged with the SQLite message, never swallowed.
    func readStore<T>(_ what: String, _ body: () throws -> T) -> T? {
        do { return try body() } catch {
            logger.error("reading \(what) from \(setup.folder.database.path) failed: \(error)")
            return nil
        }
    }

    /// Queues a state write behind the earlier ones (keeping their order); it commits with the next
    /// `commit` or once due at the end of a turn (`flushStoreWritesIfDue`), or, while the store
    /// fails, when `retryStoreWrites` gets through. `durable`: the commit that takes it is at
    /// synchronous FULL. Returns false if the queue is full (the run is stopping).
    @discardableResult
    func persist(_ what: String, durable: Bool = false, _ perform: @escaping @Sendable (StoreTransaction) throws -> Void) -> Bool {
        persistUnnaming(what, durable: durable) { tx in
            try perform(tx)
            return []
        }
    }

    /// `persist` for a write whose rows may stop naming checkpoint files (it returns their paths):
    /// the files go once it has committed, and stay if it rolls back (it runs again on the retry).
    @discardableResult
    func persistUnnaming(_ what: String, durable: Bool = false,
                         _ perform: @escaping @Sendable (StoreTransaction) throws -> [String]) -> Bool {
        guard storeWrites.pending.count < StoreWriteQueue.capacity else {
            if storeStopReason == nil {
                storeStopReason = storeFailureMessage(extra: "\(StoreWriteQueue.capacity) writes waiting")
            }
            return false
        }
        if storeWrites.pending.isEmpty { storeWrites.queuedSince = clock.now() }
        storeWrites.pending.append(.init(what: what, perform: perform))
        if durable { storeWrites.durable = true }
        return true
    }

    /// Runs `action` once every write queued so far has committed: now if none is queued.
    /// `promptly`: its commit is due at the end of this turn (a held trial's ASSIGN, which its
    /// worker starts the moment its running trial ends). Otherwise (a RESULT_ACK, which no worker
    /// waits for: it keeps the result in its outbox) it rides on the next commit, at most
    /// `flushDelay` later; the READY right behind a RESULT usually brings that commit.
    func afterQueuedWrites(promptly: Bool = false, _ action: @escaping () -> Void) {
        if !storeWrites.pending.isEmpty {
            storeWrites.afterCommit.append(action)
            if promptly { storeWrites.promptly = true }
        } else if storeWrites.inFlight != nil {
            storeWrites.inFlight?.afterCommit.append(action)
        } else {
            action()
        }
    }

    /// One transaction on the loop, behind the batch in flight: the queued writes, then `body`'s,
    /// which must be committed before its effect is announced (an ASSIGN to an idle worker).
    /// `durable`: committed at synchronous FULL. Throws (after rolling all of it back, the queue
    /// kept) if the store cannot take it; the caller holds its effect back and calls `storeFailed`.
    /// Call only while `storeIsWritable`.
    func commit<T>(durable: Bool = false, _ body: (StoreTransaction) throws -> T) throws -> T {
        settleStoreWriter()
        if storeWrites.failingSince != nil { throw StoreWriterBusy.failing(storeWrites.lastError) }
        let batch = storeWrites.takeBatch()
        let (value, files): (T, [String])
        do {
            (value, files) = try setup.store.write(durable: durable || batch.durable) { tx in
                let files = try StoreWriter.perform(batch.writes, in: tx)
                return (try body(tx), files)
            }
        } catch {
            storeWrites.putBack(batch)
            throw error
        }
        committed(batch, unnaming: files)
        return value
    }

    /// A batch is on disk: the files its rows stopped naming go, and what waited for it goes out.
    private func committed(_ batch: StoreWriteQueue.InFlight, unnaming files: [String]) {
        removeCheckpointFiles(files)
        batch.afterCommit.forEach { $0() }
    }

    /// "the first write's description and N more writes", for a failure's log line.
    private func describe(_ writes: [StoreWriter.Write]) -> String {
        let first = writes.first?.what ?? "a write"
        return writes.count <= 1 ? first : "\(first) and \(writes.count - 1) more writes"
    }

    /// Hands the queued writes to the writer's thread, unless a batch is in flight (they go
    /// behind it, with whatever queues meanwhile).
    private func handOffStoreWrites() {
        guard storeIsWritable, storeWrites.inFlight == nil, !storeWrites.pending.isEmpty else { return }
        let batch = storeWrites.takeBatch()
        storeWrites.inFlight = batch
        let writer = storeWriter ?? StoreWriter(store: setup.store)
        storeWriter = writer
        writer.submit(batch.writes, durable: batch.durable)
    }

    /// Takes the outcome of the batch in flight if it has one (each turn, after the poll).
    func takeCommittedWrites() {
        // Taken even with nothing in flight: it empties the descriptor of a wake-up that came
        // after `settleStoreWriter` took the outcome.
        let outcome = storeWriter?.takeOutcome()
        guard storeWrites.inFlight != nil, let outcome else { return }
        finishBatch(outcome)
    }

    /// Waits for the batch of writes in flight, if any, and takes its outcome (what waited for it
    /// goes out). A caller that turns the loop by hand sees the store follow each turn.
    public func settleStoreWriter() {
        guard storeWrites.inFlight != nil, let outcome = storeWriter?.waitForOutcome() else { return }
        finishBatch(outcome)
    }

    /// A committed batch frees what waited for it and the files it stopped naming; a failed one
    /// goes back in front of the queue, and the store is failing until a retry gets through.
    private func finishBatch(_ outcome: StoreWriter.Outcome) {
        guard let batch = storeWrites.inFlight else { return }
        storeWrites.inFlight = nil
        switch outcome {
        case .committed(let files):
            committed(batch, unnaming: files)
        case .failed(let error):
            storeWrites.putBack(batch)
            storeFailed(describe(batch.writes), error)
        }
    }

    /// At the end of a turn of the loop: hands the queued writes to the writer once the oldest has
    /// waited `flushDelay`, when the turn found nothing to do (`idle`: the loop is about to wait),
    /// or when a message a worker will soon need waits for them (a held trial's ASSIGN): one commit
    /// for all the turn handled.
    func flushStoreWritesIfDue(now: Double, idle: Bool) {
        guard let since = storeWrites.queuedSince,
              idle || now - since >= StoreWriteQueue.flushDelay || storeWrites.promptly else { return }
        handOffStoreWrites()
    }

    /// How long the loop may wait for messages before the queued writes are due (a batch in flight
    /// wakes it through the writer's descriptor).
    func storeFlushWait(now: Double, upTo timeout: Double) -> Double {
        guard let since = storeWrites.queuedSince, storeIsWritable, storeWrites.inFlight == nil else { return timeout }
        return min(timeout, max(0, since + StoreWriteQueue.flushDelay - now))
    }

    /// Commits the queued writes now, on the loop, once the batch in flight is in (at the start and
    /// end of a run, and before reading the store for exports and the report).
    func flushStoreWrites() {
        settleStoreWriter()
        guard storeIsWritable, !storeWrites.pending.isEmpty else { return }
        let writes = storeWrites.pending
        do { try commit { _ in } } catch {
            storeFailed(describe(writes), error)
        }
    }

    /// A write that must succeed before its effect is announced (an assignment, a result) failed:
    /// hold new work and start retrying.
    func storeFailed(_ what: String, _ error: Error) {
        let now = clock.now()
        storeWrites.lastError = "\(error)"
        guard storeWrites.failingSince == nil else { return }
        storeWrites.failingSince = now
        storeWrites.backoff.succeeded()
        storeWrites.backoff.failed(at: now)
        scheduler.holding = true
        logger.error("\(what) failed on \(setup.folder.database.path): \(error); holding new work and retrying")
        progress.log("cannot write \(setup.folder.database.path): \(error); holding new work and retrying")
    }

    /// Called from the run loop: retries the queued writes when due; ends the failing state when
    /// they all went through, or sets `storeStopReason` once the limit has passed.
    func retryStoreWrites(now: Double) {
        guard let since = storeWrites.failingSince, storeWrites.backoff.mayRetry(at: now) else { return }
        do {
            // A probe first: with nothing queued, the failure came from a write that cannot be
            // replayed (an assignment, a result), and the store must be shown writable again.
            let queued = storeWrites.pending
            let files = try setup.store.write(durable: storeWrites.durable) { tx in
                try tx.appendEvent(kind: "store", message: "sweep.db written again after \(Int(now - since)) s")
                return try StoreWriter.perform(queued, in: tx)
            }
            committed(storeWrites.takeBatch(), unnaming: files)
        } catch {
            storeWrites.lastError = "\(error)"
            storeWrites.backoff.failed(at: now)
            if now - since >= options.storeFailureLimit, storeStopReason == nil {
                storeStopReason = storeFailureMessage(extra: nil)
            }
            return
        }
        storeWrites.failingSince = nil
        storeWrites.backoff.succeeded()
        scheduler.holding = false
        logger.notice("sweep.db is writable again after \(Int(now - since)) s; work resumes")
        progress.log("sweep.db is writable again after \(Int(now - since)) s; work resumes")
        resultsDirty = true
        apply(scheduler.dispatch(now: now), now: now)
    }

    private func storeFailureMessage(extra: String?) -> String {
        let seconds = Int(options.storeFailureLimit)
        return """
            cannot write \(setup.folder.database.path): \(storeWrites.lastError) \
            (for \(seconds) s\(extra.map { "; \($0)" } ?? "")). Stopped; results recorded so far are kept. \
            Free space or fix the folder's permissions, then run the same command again to resume.
            """
    }
}

/// `commit` was called while the store fails (the batch before it did not commit).
enum StoreWriterBusy: Error, CustomStringConvertible {
    case failing(String)
    var description: String {
        switch self {
        case .failing(let error): "sweep.db cannot be written: \(error)"
        }
    }
}
