import Foundation
import SweepStore
import SystemSupport

/// Commits batches of sweep.db writes on a thread of its own (`store-writer` in `top -H`). A
/// commit (its statements, the WAL pages, a result's fsync) cost the loop more than everything
/// else a trivial trial asks of it; here it runs beside the loop, which meanwhile handles the next
/// messages and queues their writes for the next batch. One batch at a time, in the order given,
/// so the store still follows the scheduler in order. The loop hands a batch over (`submit`), polls
/// `readFD`, and takes the outcome (`takeOutcome`); what waits for the commit (a RESULT_ACK, an
/// ASSIGN) goes out only then.
final class StoreWriter: @unchecked Sendable {
    /// One queued write: its statements, run inside the batch's transaction. Returns the
    /// checkpoint files its rows stopped naming, which may go once it has committed.
    struct Write: Sendable {
        let what: String
        let perform: @Sendable (StoreTransaction) throws -> [String]
    }

    /// Runs `writes` in order inside `tx`; returns the files they stopped naming.
    static func perform(_ writes: [Write], in tx: StoreTransaction) throws -> [String] {
        var files: [String] = []
        for write in writes { files += try write.perform(tx) }
        return files
    }

    enum Outcome: Sendable {
        /// On disk (through power loss too, for a durable batch); the files may go.
        case committed(unnamedFiles: [String])
        /// Rolled back: nothing of the batch was written.
        case failed(any Error)
    }

    private let store: SweepStore
    /// Guards everything below.
    private let condition = NSCondition()
    private var waiting: (writes: [Write], durable: Bool)?
    private var busy = false
    private var outcome: Outcome?
    private var closed = false
    private let wakeup = WakeupPipe()

    /// Starts the thread; `close()` ends it.
    init(store: SweepStore) {
        self.store = store
        let thread = Thread { [self] in
            CurrentThread.setName("store-writer")
            work()
        }
        thread.start()
    }

    /// Register this with the poller: readable when a batch has committed or failed.
    var readFD: Int32 { wakeup.readFD }

    /// Commits `writes` in one transaction (`durable`: at synchronous FULL). Only one batch is in
    /// flight: submit the next once the outcome of this one was taken.
    func submit(_ writes: [Write], durable: Bool) {
        condition.lock()
        precondition(waiting == nil && !busy && outcome == nil, "a batch of sweep.db writes is already in flight")
        waiting = (writes, durable)
        condition.signal()
        condition.unlock()
    }

    /// The outcome of the batch in flight, if it has one yet.
    func takeOutcome() -> Outcome? {
        wakeup.drain()
        condition.lock(); defer { condition.unlock() }
        defer { outcome = nil }
        return outcome
    }

    /// Blocks until the batch in flight has an outcome, and takes it (nil when none is in flight).
    func waitForOutcome() -> Outcome? {
        condition.lock()
        while waiting != nil || busy { condition.wait() }
        let taken = outcome
        outcome = nil
        condition.unlock()
        wakeup.drain()
        return taken
    }

    /// Ends the thread once the batch in flight (if any) has its outcome.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while waiting == nil && !closed { condition.wait() }
            guard let batch = waiting else {
                condition.unlock()
                return
            }
            waiting = nil
            busy = true
            condition.unlock()

            let result: Outcome
            do {
                let files = try store.write(durable: batch.durable) { tx in try Self.perform(batch.writes, in: tx) }
                result = .committed(unnamedFiles: files)
            } catch {
                result = .failed(error)
            }
            condition.lock()
            busy = false
            outcome = result
            condition.broadcast()
            condition.unlock()
            wakeup.wake()
        }
    }
}
