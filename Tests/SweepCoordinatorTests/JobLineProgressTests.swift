import Foundation
import Testing
@testable import SweepCoordinator

/// The live view's line about a submitted worker job, under the head line.
@Suite struct JobLineProgressTests {
    @Test func theJobLineFollowsTheHeadAndIsMadePrintable() {
        var counts = SchedulerCounts()
        counts.queued = 3
        var snapshot = ProgressSnapshot(sweep: "smoke", counts: counts, workers: [], etaSeconds: nil)
        #expect(ProgressView.lines(snapshot).count == 1)
        snapshot.job = "SLURM job 12: PENDING (Resources\u{1B}[2J), 2 task(s)"
        let lines = ProgressView.lines(snapshot)
        #expect(lines.count == 2)
        #expect(lines[1].hasPrefix("  SLURM job 12: PENDING (Resources"))
        #expect(!lines[1].contains("\u{1B}"))
    }

    @Test func reportsPostedFromAnotherThreadAreTakenOnceInOrder() async {
        let reports = JobReports()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for i in 0..<100 { reports.post("a\(i)") } }
            group.addTask { for i in 0..<100 { reports.setLine("line \(i)") } }
        }
        let taken = reports.take()
        #expect(taken == (0..<100).map { "a\($0)" })
        #expect(reports.take().isEmpty)
        #expect(reports.line == "line 99")
    }
}
