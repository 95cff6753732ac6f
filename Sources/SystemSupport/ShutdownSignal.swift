import Foundation
import UnixSignals

/// SIGINT/SIGTERM as a stop request a poll loop can wait on: `readFD` becomes readable when one
/// arrives, and `isRequested` stays true from then on.
///
/// Signals arrive through an `UnixSignalsSequence` read by a task that this object ends when it
/// goes away, which also releases the signal sources and closes the pipe. Until that task has
/// registered its sources (moments after `init`) a signal still has its previous disposition.
public final class ShutdownSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private let pipe = WakeupPipe()
    private var listener: Task<Void, Never>?

    /// `signals: []` watches no signal: only `request()` stops (tests, embedding).
    public init(signals: [UnixSignal] = [.sigint, .sigterm]) {
        guard !signals.isEmpty else { return }
        listener = Task.detached { [weak self] in
            for await _ in await UnixSignalsSequence(trapping: signals) {
                guard let self else { return }
                self.request()
            }
        }
    }

    deinit { listener?.cancel() }

    /// Register this with the poller.
    public var readFD: Int32 { pipe.readFD }

    /// Asks for shutdown from code, as a signal would.
    public func request() {
        lock.lock()
        requested = true
        lock.unlock()
        pipe.wake()
    }

    public var isRequested: Bool { lock.lock(); defer { lock.unlock() }; return requested }

    /// Empties the pipe after the poller reported it readable.
    public func drain() { pipe.drain() }
}
