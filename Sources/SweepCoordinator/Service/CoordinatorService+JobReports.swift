import Foundation

extension CoordinatorService {
    /// Records what the worker launcher reported since the last turn (on this thread, which owns
    /// the store) and shows it.
    public func recordJobReports() {
        for event in jobReports.take() { recordEvent("slurm", event) }
    }
}
