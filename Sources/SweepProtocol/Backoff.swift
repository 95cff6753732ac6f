/// Reconnect backoff (SPEC.md §4): 1 s, 2 s, 4 s, ... capped at 32 s, retried forever, reset on
/// success. A pure value fed times in seconds.
public struct Backoff: Sendable, Hashable {
    public let initial: Double
    public let maximum: Double
    public let multiplier: Double
    /// The delay the next failure will wait.
    public private(set) var nextDelay: Double
    /// Failures since the last success.
    public private(set) var failures = 0
    /// When the pending retry may happen, if a failure is pending.
    public private(set) var retryAt: Double?

    public init(initial: Double = 1, maximum: Double = 32, multiplier: Double = 2) {
        precondition(initial > 0 && maximum >= initial && multiplier >= 1,
                     "backoff needs 0 < initial <= maximum and multiplier >= 1")
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        nextDelay = initial
    }

    /// Records a failure at `now`; returns the delay before the next try (and sets `retryAt`).
    @discardableResult
    public mutating func failed(at now: Double) -> Double {
        let delay = nextDelay
        failures += 1
        retryAt = now + delay
        nextDelay = min(maximum, nextDelay * multiplier)
        return delay
    }

    /// Whether the pending retry may happen now (true when nothing is pending).
    public func mayRetry(at now: Double) -> Bool { retryAt.map { now >= $0 } ?? true }

    /// A successful connection: the next failure waits `initial` again.
    public mutating func succeeded() {
        nextDelay = initial
        failures = 0
        retryAt = nil
    }
}
