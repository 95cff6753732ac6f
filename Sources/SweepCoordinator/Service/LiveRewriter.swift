import Foundation
import SweepProtocol
import Synchronization
import SystemSupport

/// Runs the live rewrites of results.csv, curves.csv and report.html on a thread of their own
/// (`rewrites` in `top -H`), one at a time. They only read committed rows of sweep.db, which WAL
/// lets a reader do beside the loop's writes; on the loop, a report of 10,000 trials (seconds to
/// draw) would stall every worker's messages and heartbeats meanwhile. The loop starts a rewrite
/// when its schedule is due and takes the timing back when it has finished (`takeFinished`).
final class LiveRewriter: Sendable {
    enum Kind: Sendable { case exports, report }

    /// One rewrite that ended: when it ran (the injected clock), and whether it was written.
    struct Finished: Sendable {
        let kind: Kind
        let started: Double
        let ended: Double
        let written: Bool
    }

    private struct State {
        var busy = false
        var finished: [Finished] = []
    }
    private let state = Mutex(State())
    private let idle = DispatchSemaphore(value: 1)
    private let clock: any SweepClock

    init(clock: any SweepClock) { self.clock = clock }

    var isBusy: Bool { state.withLock { $0.busy } }

    /// Starts `work` (returns whether it wrote its files) unless a rewrite is under way.
    @discardableResult
    func start(_ kind: Kind, _ work: @escaping @Sendable () -> Bool) -> Bool {
        let began = state.withLock { state -> Bool in
            guard !state.busy else { return false }
            state.busy = true
            return true
        }
        guard began else { return false }
        idle.wait()
        let clock = self.clock
        let thread = Thread { [self] in
            CurrentThread.setName("rewrites")
            let started = clock.now()
            let written = work()
            let ended = clock.now()
            state.withLock { state in
                state.finished.append(Finished(kind: kind, started: started, ended: ended, written: written))
                state.busy = false
            }
            // After the booking: whoever waits for idle finds it (a `start` in between waits only
            // for this line).
            idle.signal()
        }
        thread.start()
        return true
    }

    /// The rewrites that ended since the last call, oldest first.
    func takeFinished() -> [Finished] {
        state.withLock { state in
            defer { state.finished.removeAll() }
            return state.finished
        }
    }

    /// Returns once no rewrite is under way (before the run's final exports, which write the same files).
    func waitUntilIdle() {
        idle.wait()
        idle.signal()
    }
}
