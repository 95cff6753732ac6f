import Foundation
import SweepTestSupport
import Testing
@testable import SweepCoordinator

/// The live rewrites run on their own thread, one at a time: the caller goes on while one is under
/// way, a second is refused until it ends, and its timing comes back to the caller afterwards.
@Suite struct LiveRewriterTests {
    @Test func oneRewriteAtATimeOffTheCallersThreadWithItsTimingBookedAfterwards() {
        let clock = FakeClock(now: 100)
        let rewriter = LiveRewriter(clock: clock)
        let gate = DispatchSemaphore(value: 0)
        let entered = DispatchSemaphore(value: 0)
        #expect(rewriter.start(.report) {
            entered.signal()
            gate.wait()
            clock.advance(by: 2.5)
            return true
        })
        // The caller is not held while the rewrite waits at the gate.
        #expect(entered.wait(timeout: .now() + 10) == .success)
        #expect(rewriter.isBusy)
        #expect(!rewriter.start(.exports) { Issue.record("a second rewrite ran beside the first"); return true })
        #expect(rewriter.takeFinished().isEmpty)
        gate.signal()
        rewriter.waitUntilIdle()
        #expect(!rewriter.isBusy)
        let finished = rewriter.takeFinished()
        #expect(finished.count == 1)
        #expect(finished.first?.kind == .report && finished.first?.written == true)
        #expect(finished.first?.started == 100 && finished.first?.ended == 102.5)
        #expect(rewriter.takeFinished().isEmpty)
        // A failed one is booked as not written, and the next may start.
        #expect(rewriter.start(.exports) { false })
        rewriter.waitUntilIdle()
        #expect(rewriter.takeFinished().map(\.written) == [false])
    }
}
