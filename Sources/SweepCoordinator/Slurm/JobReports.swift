import Foundation

/// What a worker launcher (SLURM) tells the coordinator's loop from its own thread: events to
/// record and log, and one line for the live view. The loop takes them on its thread, which owns
/// the store.
public final class JobReports: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [String] = []
    private var currentLine: String?

    public init() {}

    public func post(_ event: String) {
        lock.lock(); defer { lock.unlock() }
        pending.append(event)
    }

    public func setLine(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        currentLine = line
    }

    /// The live view's line about the job, if there is a job.
    public var line: String? {
        lock.lock(); defer { lock.unlock() }
        return currentLine
    }

    /// Every event posted since the last call, oldest first.
    public func take() -> [String] {
        lock.lock(); defer { lock.unlock() }
        defer { pending.removeAll() }
        return pending
    }
}
