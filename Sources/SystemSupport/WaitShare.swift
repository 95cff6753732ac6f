import Foundation

/// The share of a stretch of work that a process spent waiting for another: the coordinator's loop
/// waiting for messages, a worker waiting for its next assignment. Which of the two waits tells who
/// sets a sweep's pace: the one that rarely waits is the limit. The stretch runs from `begin` (the
/// first assignment) to the last `end` (the last result), so the start-up before the first trial
/// and the wind-down after the last are left out.
public struct WaitShare: Sendable, Equatable {
    private var begun: Double?
    private var waited = 0.0
    private var waitedAtEnd = 0.0
    private var ended: Double?

    public init() {}

    /// The stretch begins (the first call counts; later ones are ignored).
    public mutating func begin(at now: Double) {
        if begun == nil { begun = now }
    }

    /// `seconds` spent waiting; counted only once the stretch has begun.
    public mutating func waited(_ seconds: Double) {
        guard begun != nil, seconds.isFinite, seconds > 0 else { return }
        waited += seconds
    }

    /// The stretch so far ends here (each call moves its end).
    public mutating func end(at now: Double) {
        guard begun != nil else { return }
        ended = now
        waitedAtEnd = waited
    }

    /// Seconds from the beginning to the last end, and seconds waited in them (nil until both).
    public var span: (seconds: Double, waited: Double)? {
        guard let begun, let ended, ended > begun else { return nil }
        return (ended - begun, min(waitedAtEnd, ended - begun))
    }

    /// "waited 1.23 s of 8.40 s (14.6 %)", or nil until the stretch has begun and ended.
    public var summary: String? {
        guard let span else { return nil }
        return String(format: "waited %.2f s of %.2f s (%.1f %%)", span.waited, span.seconds, 100 * span.waited / span.seconds)
    }
}
