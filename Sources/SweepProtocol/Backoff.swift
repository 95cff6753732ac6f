/// Reconnect backoff (SPEC.md §4): 1 s, 2 s, 4 s, ... capped at 32 s, retried forever, reset on
/// success; with `jitter` j each delay is drawn from [(1 − j)·d, d], so workers that lost the
/// coordinator together do not all reconnect in the same instant. A pure value fed times in
/// seconds (and, for tests, the random draw).
public struct Backoff: Sendable, Hashable {
    public let initial: Double
    public let maximum: Double
    public let multiplier: Double
    /// Fraction of each delay that is random, in [0, 1].
    public let jitter: Double
    /// The delay the next failure will wait.
    public private(set) var nextDelay: Double
    /// Failures since the last success.
    public private(set) var failures = 0
    /// When the pending retry may happen, if a failure is pending.
    public private(set) var retryAt: Double?

    public init(initial: Double = 1, maximum: Double = 32, multiplier: Double = 2, jitter: Double = 0) {
        precondition(initial > 0 && maximum >= initial && multiplier >= 1 && (0...1).contains(jitter),
                     "backoff needs 0 < initial <= maximum, multiplier >= 1 and jitter in [0, 1]")
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
        nextDelay = initial
    }

    /// Records a failure at `now`; returns the delay before the next try (and sets `retryAt`).
    /// `random` in [0, 1) picks the jittered part.
    @discardableResult
    public mutating func failed(at now: Double, random: Double = Double.random(in: 0..<1)) -> Double {
        let delay = nextDelay * (1 - jitter * min(max(random, 0), 1))
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
