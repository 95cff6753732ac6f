import SweepProtocol
import SweepTestSupport
import Testing

struct LivenessTests {
    @Test(arguments: [3, 4, 5])
    func suspectAfterConfiguredBeatsLostAfterGraceAnyMessageRevives(_ beats: Int) {
        let clock = FakeClock()
        var peer = PeerLiveness(now: clock.now(), heartbeatInterval: 1, suspectAfterBeats: beats, lostAfter: 30)
        #expect(peer.state(at: clock.now()) == .alive)
        clock.advance(by: Double(beats) - 0.01)
        #expect(peer.state(at: clock.now()) == .alive)
        clock.advance(by: 0.02)
        #expect(peer.state(at: clock.now()) == .suspect)
        peer.heard(at: clock.now())  // any message revives
        #expect(peer.state(at: clock.now()) == .alive)

        clock.advance(by: 29.99)
        #expect(peer.state(at: clock.now()) == .suspect)
        clock.advance(by: 0.02)
        #expect(peer.state(at: clock.now()) == .lost)
        peer.heard(at: clock.now())
        #expect(peer.state(at: clock.now()) == .alive)
    }

    @Test func heartbeatSchedule() {
        var peer = PeerLiveness(now: 0, heartbeatInterval: 1, suspectAfterBeats: 3, lostAfter: 40)
        #expect(!peer.heartbeatDue(at: 0.5))
        #expect(peer.heartbeatDue(at: 1))
        peer.sent(at: 1)
        #expect(!peer.heartbeatDue(at: 1.9))
        #expect(peer.heartbeatDue(at: 2))
        peer.sent(at: 0.5)  // late timestamps never move it back
        #expect(peer.heartbeatDue(at: 2))
        peer.heard(at: 2)
        #expect(peer.lastHeard == 2)
        peer.heard(at: 1)  // late timestamps never move it back
        #expect(peer.lastHeard == 2)
    }

    @Test func backoffDoublesToThirtyTwoForeverAndResets() {
        let clock = FakeClock(now: 0)
        var backoff = Backoff()
        var delays: [Double] = []
        for _ in 0..<9 {
            #expect(backoff.mayRetry(at: clock.now()))
            let delay = backoff.failed(at: clock.now())
            delays.append(delay)
            #expect(!backoff.mayRetry(at: clock.now() + delay - 0.001))
            clock.advance(by: delay)
        }
        #expect(delays == [1, 2, 4, 8, 16, 32, 32, 32, 32])
        #expect(backoff.failures == 9)
        backoff.succeeded()
        #expect(backoff.failures == 0)
        #expect(backoff.retryAt == nil)
        #expect(backoff.failed(at: clock.now()) == 1)
        #expect(backoff.failed(at: clock.now()) == 2)
    }

    @Test func jitteredDelaysSpreadBelowTheDoublingCap() {
        var fixed = Backoff(jitter: 0.5)
        #expect(fixed.failed(at: 0, random: 0) == 1)
        #expect(fixed.failed(at: 0, random: 0.5) == 1.5)
        #expect(fixed.failed(at: 0, random: 1) == 2)
        var firsts: Set<Double> = []
        for _ in 0..<100 {
            var backoff = Backoff(jitter: 0.5)
            let delays = (0..<8).map { _ in backoff.failed(at: 0) }
            #expect(zip(delays, [1.0, 2, 4, 8, 16, 32, 32, 32]).allSatisfy { $0 <= $1 && $0 >= $1 / 2 })
            firsts.insert(delays[0])
        }
        #expect(firsts.count > 50, "delays are not random")
    }
}
