import Foundation

/// Exits of local worker processes, posted by the supervisor's threads and taken by the
/// coordinator's loop, which requeues the dead worker's trial at once instead of waiting for
/// its heartbeats to stop.
public final class LocalWorkerExits: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [LocalWorkerExit] = []

    public init() {}

    public func post(_ exit: LocalWorkerExit) {
        lock.lock(); defer { lock.unlock() }
        pending.append(exit)
    }

    /// Every exit posted since the last call, oldest first.
    func take() -> [LocalWorkerExit] {
        lock.lock(); defer { lock.unlock() }
        defer { pending.removeAll() }
        return pending
    }
}
