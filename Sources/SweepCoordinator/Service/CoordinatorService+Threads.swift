import Foundation
import SweepProtocol
import SweepStore

/// Elastic cores on the wire: the scheduler's THREADS commands go out and are logged, and the
/// thread counts holders report confirm them (SPEC.md §3.2).
extension CoordinatorService {
    func sendThreads(_ command: CoreCommand) {
        guard let leaseID = scheduler.state(of: command.trialID)?.leases[command.attempt]?.id else { return }
        send(.threads(ThreadChange(trialId: command.trialID, attempt: command.attempt, leaseId: leaseID,
                                   threads: command.threads, cpus: command.cpus)), to: command.worker)
        let cpus = command.cpus.isEmpty ? "" : " on cpus \(command.cpus.map(String.init).joined(separator: ","))"
        recordEvent("threads", "trial \(command.trialID) attempt \(command.attempt): \(command.previous) → \(command.threads) threads\(cpus)",
                    trial: command.trialID, worker: command.worker)
    }

    /// A holder's report (already judged) said it trains with `threads`: a change it confirms is
    /// logged once, and may free cores for waiting work.
    func noteThreads(_ threads: Int, of key: LeaseKey, now: Double) {
        let last = reportedThreads[key.trialID]
        let previous = last?.attempt == key.attempt ? last?.threads : scheduler.state(of: key.trialID).map { $0.trial.threads }
        reportedThreads[key.trialID] = (key.attempt, threads)
        if var live = ledger.progress[key.trialID], live.attempt == key.attempt, live.threads != threads {
            live.threads = threads
            ledger.progress[key.trialID] = live
            ledger.unwritten[key.trialID] = live
        }
        if let previous, previous != threads {
            recordEvent("threads_applied", "trial \(key.trialID) attempt \(key.attempt) trains with \(threads) threads (was \(previous))",
                        trial: key.trialID)
        }
        apply(scheduler.threadsReported(trialID: key.trialID, attempt: key.attempt, threads: threads, now: now), now: now)
    }
}
