/// Liveness of one peer (Paranoid Pirate, SPEC.md §4) as a pure value fed times in seconds.
///
/// Any message from the peer calls `heard(at:)`. `state(at:)` is `.alive` until the peer has been
/// silent for `suspectAfterBeats` heartbeat intervals, `.suspect` until it has been silent for
/// `lostAfter` seconds, then `.lost`. `heartbeatDue(at:)` schedules our own heartbeats to the peer.
public struct PeerLiveness: Sendable, Hashable {
    public enum State: String, Sendable, Hashable { case alive, suspect, lost }

    public let heartbeatInterval: Double
    public let suspectAfterBeats: Int
    public let lostAfter: Double
    public private(set) var lastHeard: Double
    public private(set) var lastSent: Double

    /// - Precondition: `heartbeatInterval > 0`, `suspectAfterBeats` in 3...5,
    ///   `lostAfter >= 30` and longer than the suspect time.
    public init(now: Double, heartbeatInterval: Double = 1, suspectAfterBeats: Int = 3, lostAfter: Double = 30) {
        precondition(heartbeatInterval > 0, "heartbeat interval must be positive, got \(heartbeatInterval)")
        precondition((3...5).contains(suspectAfterBeats), "suspectAfterBeats must be 3...5, got \(suspectAfterBeats)")
        precondition(lostAfter >= 30 && lostAfter > heartbeatInterval * Double(suspectAfterBeats),
                     "lostAfter must be >= 30 s and longer than the suspect time, got \(lostAfter)")
        self.heartbeatInterval = heartbeatInterval
        self.suspectAfterBeats = suspectAfterBeats
        self.lostAfter = lostAfter
        lastHeard = now
        lastSent = now
    }

    /// Seconds of silence after which the peer is suspect.
    private var suspectAfter: Double { heartbeatInterval * Double(suspectAfterBeats) }

    /// Any message from the peer: it is alive again (from suspect, too).
    public mutating func heard(at now: Double) {
        lastHeard = max(lastHeard, now)
    }

    public func state(at now: Double) -> State {
        let silence = now - lastHeard
        if silence >= lostAfter { return .lost }
        if silence >= suspectAfter { return .suspect }
        return .alive
    }

    /// Whether it is time to send the peer a heartbeat.
    public func heartbeatDue(at now: Double) -> Bool { now - lastSent >= heartbeatInterval }

    /// Record that we sent the peer something (a heartbeat or any other message).
    public mutating func sent(at now: Double) { lastSent = max(lastSent, now) }
}
