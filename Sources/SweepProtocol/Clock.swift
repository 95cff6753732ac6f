import Foundation

/// A source of monotonic time in seconds. State machines take plain `Double` times; services
/// read them from a clock so tests can inject `FakeClock` (SweepTestSupport).
public protocol SweepClock: Sendable {
    func now() -> Double
}

/// The real monotonic clock (seconds since an arbitrary origin; never jumps with wall time).
public struct MonotonicClock: SweepClock {
    public init() {}
    public func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
