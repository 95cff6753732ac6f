import Foundation
import SweepProtocol

/// A clock tests move by hand. Thread-safe.
public final class FakeClock: SweepClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Double

    public init(now: Double = 1000) { current = now }

    private var perRead = 0.0

    public func now() -> Double {
        lock.lock(); defer { lock.unlock() }
        let value = current
        current += perRead
        return value
    }

    /// From now on every read moves the clock on by `seconds` too: work that reads the clock
    /// takes time, as real work does.
    public func advanceOnEveryRead(by seconds: Double) {
        lock.lock(); perRead = seconds; lock.unlock()
    }

    public func advance(by seconds: Double) {
        lock.lock(); current += seconds; lock.unlock()
    }

    public func set(to time: Double) {
        lock.lock(); current = time; lock.unlock()
    }
}
