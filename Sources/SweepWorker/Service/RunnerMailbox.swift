import Foundation
import SystemSupport
import TrialSpec

/// What the trial-runner thread tells the I/O thread.
enum RunnerNote: Sendable {
    case epoch(trialID: String, attempt: Int, EpochMetrics)
    case checkpoint(trialID: String, attempt: Int, epoch: Int, bytes: [UInt8], isBest: Bool)
    case ended(trialID: String, attempt: Int, TrialEnd)
}

/// A locked queue from the runner thread to the I/O thread, plus a wake-up pipe the I/O thread
/// polls so a note wakes it at once. The runner also reads `cancelled` and refreshes `lastPulse` through it.
final class RunnerMailbox: TrialEvents, @unchecked Sendable {
    private let lock = NSLock()
    private var notes: [RunnerNote] = []
    private var cancelFlag = false
    private var pulse: Double
    private var bestValLoss = Double.infinity
    private var lastEpochValLoss = Double.nan
    /// The trainer's latest batch report; the I/O thread samples it (no note, no wake-up per batch).
    private var batch: EpochProgress?
    /// A THREADS change waiting for the next batch, and the count the trainer trains with.
    private var requestedThreads: ThreadRequest?
    private var threads: Int?
    private let wakeup = WakeupPipe()
    let trialID: String
    let attempt: Int
    private let clock: @Sendable () -> Double

    init(trialID: String, attempt: Int, clock: @escaping @Sendable () -> Double) {
        self.trialID = trialID
        self.attempt = attempt
        self.clock = clock
        pulse = clock()
    }

    /// Register this with the poller.
    var readFD: Int32 { wakeup.readFD }

    func post(_ note: RunnerNote) {
        lock.lock()
        notes.append(note)
        pulse = clock()
        lock.unlock()
        wakeup.wake()
    }

    func take() -> [RunnerNote] {
        wakeup.drain()
        lock.lock(); defer { lock.unlock() }
        let out = notes
        notes = []
        return out
    }

    func cancel() { lock.lock(); cancelFlag = true; lock.unlock() }

    var lastPulse: Double { lock.lock(); defer { lock.unlock() }; return pulse }

    /// The latest finished batch of the running epoch, if any.
    var latestBatch: EpochProgress? { lock.lock(); defer { lock.unlock() }; return batch }

    /// The coordinator's latest THREADS for this attempt; a newer one replaces one not yet taken.
    func requestThreads(_ request: ThreadRequest) { lock.lock(); requestedThreads = request; lock.unlock() }

    /// Threads the trainer trains with now (nil until it has started).
    var threadsInUse: Int? { lock.lock(); defer { lock.unlock() }; return threads }

    func threadChange() -> ThreadRequest? {
        lock.lock(); defer { lock.unlock() }
        let request = requestedThreads
        requestedThreads = nil
        return request
    }

    func threadsApplied(_ count: Int) { lock.lock(); threads = count; lock.unlock() }

    // MARK: TrialEvents (runner thread)

    func epochEnded(_ record: EpochMetrics) {
        lock.lock()
        lastEpochValLoss = record.valLoss
        lock.unlock()
        post(.epoch(trialID: trialID, attempt: attempt, record))
    }

    /// Called after every training batch: a store under the lock, nothing allocated.
    func batchEnded(_ progress: EpochProgress) {
        let now = clock()
        lock.lock()
        batch = progress
        pulse = now
        lock.unlock()
    }

    func resumed(bestValLoss best: Double?) {
        lock.lock()
        bestValLoss = best ?? .infinity
        lock.unlock()
    }

    func checkpointEncoded(_ bytes: [UInt8], epoch: Int) {
        lock.lock()
        let isBest = lastEpochValLoss.isFinite && lastEpochValLoss < bestValLoss
        if isBest { bestValLoss = lastEpochValLoss }
        lock.unlock()
        post(.checkpoint(trialID: trialID, attempt: attempt, epoch: epoch, bytes: bytes, isBest: isBest))
    }

    var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        pulse = clock()
        return cancelFlag
    }
}
