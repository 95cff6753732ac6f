import Foundation
import SweepProtocol

/// A clock tests move by hand. Thread-safe.
public final class FakeClock: SweepClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Double

    public init(now: Double = 1000) { current = now }

    public func now() -> Double { lock.lock(); defer { lock.unlock() }; return current }

    public func advance(by seconds: Double) {
        lock.lock(); current += seconds; lock.unlock()
    }

    public func set(to time: Double) {
        lock.lock(); current = time; lock.unlock()
    }
}
