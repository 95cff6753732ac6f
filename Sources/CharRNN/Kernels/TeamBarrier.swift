#if canImport(Glibc)
import CSystemShim
import Glibc
#endif
import Synchronization

/// A reusable barrier for the threads of one `ThreadPool.runTeam` region: each step of a recurrence
/// split by hidden units waits here until every member has written its part of the step. Members
/// spin (a step is tens of microseconds to milliseconds; a futex wake would cost a large share of
/// it) and yield the core after a while, so a member the machine has descheduled is not starved by
/// the one waiting for it.
final class TeamBarrier: Sendable {
    let members: Int
    private let arrived = Atomic<Int>(0)
    /// Bumped by the last member to arrive; the others wait for it to change.
    private let phase = Atomic<Int>(0)

    init(members: Int) {
        precondition(members >= 1, "TeamBarrier: \(members) members")
        self.members = members
    }

    /// Returns when all `members` threads have called `wait` for this phase. Every write a member
    /// made before its call is visible to every member after theirs.
    func wait() {
        guard members > 1 else { return }
        let current = phase.load(ordering: .acquiring)
        if arrived.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == members {
            arrived.store(0, ordering: .relaxed)
            phase.store(current &+ 1, ordering: .releasing)
            return
        }
        var spins = 0
        while phase.load(ordering: .acquiring) == current {
            if spins < Self.spinsBeforeYield {
                spins += 1
                csys_spin_pause()
            } else {
                sched_yield()
            }
        }
    }

    /// About 50–100 µs of `pause` before yielding the core.
    private static let spinsBeforeYield = 2_000
}
