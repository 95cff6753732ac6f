import SystemSupport
import Testing

/// The share of a stretch (first assignment → last result) spent waiting: waits before the stretch
/// begins or after its last end are not counted, and nothing is reported until it has both.
struct WaitShareTests {
    @Test func countsOnlyTheWaitsBetweenTheBeginningAndTheLastEnd() throws {
        var share = WaitShare()
        share.waited(5)                 // start-up: before the first assignment
        share.end(at: 1)                // an end before any beginning is ignored
        #expect(share.span == nil && share.summary == nil)
        share.begin(at: 10)
        #expect(share.span == nil)      // begun, not yet ended
        share.waited(1)
        share.end(at: 12)
        share.begin(at: 11)             // a later beginning does not move the first
        share.waited(0.5)
        share.end(at: 14)
        share.waited(3)                 // wind-down: after the last end
        share.waited(-1)
        share.waited(.nan)
        let span = try #require(share.span)
        #expect(span.seconds == 4)
        #expect(span.waited == 1.5)
        #expect(share.summary == "waited 1.50 s of 4.00 s (37.5 %)")
    }

    @Test func aWaitLongerThanTheStretchIsCappedAtIt() throws {
        var share = WaitShare()
        share.begin(at: 0)
        share.waited(10)
        share.end(at: 2)
        #expect(try #require(share.span).waited == 2)
    }
}
