import Foundation
import SweepProtocol
import SweepStore

/// sweep.db writes. While a run lasts the scheduler's memory is the truth and the store follows
/// it in order. A write that fails (disk full, read-only folder, a lock held too long) is kept,
/// with every later one behind it, and retried with backoff; meanwhile nothing new is assigned
/// (an assignment is recorded before it is sent) and no result is acknowledged (the worker keeps
/// it and sends it again). When the writes go through again, the queue drains and work resumes;
/// a store still failing after `CoordinatorOptions.storeFailureLimit` seconds ends the run, naming
/// the file and the error, so that running the same command again resumes from what was written.
struct StoreWriteQueue {
    struct Write {
        let what: String
        let perform: () throws -> Void
    }
    var pending: [Write] = []
    var failingSince: Double?
    var lastError = ""
    var backoff = Backoff(initial: 0.5, maximum: 8)
    /// Beyond this many queued writes the run stops rather than grow without bound.
    static let capacity = 100_000
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

    /// Performs a state write now, or queues it behind earlier failed ones (keeping their order).
    func persist(_ what: String, _ perform: @escaping () throws -> Void) {
        guard storeIsWritable else {
            if storeWrites.pending.count < StoreWriteQueue.capacity {
                storeWrites.pending.append(.init(what: what, perform: perform))
            } else if storeStopReason == nil {
                storeStopReason = storeFailureMessage(extra: "\(StoreWriteQueue.capacity) writes waiting")
            }
            return
        }
        do { try perform() } catch {
            storeWrites.pending.append(.init(what: what, perform: perform))
            storeFailed(what, error)
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
            try setup.store.appendEvent(kind: "store", message: "sweep.db written again after \(Int(now - since)) s")
            while let write = storeWrites.pending.first {
                try write.perform()
                storeWrites.pending.removeFirst()
            }
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
