/// Why the coordinator tells a worker to STOP (SPEC.md §3.3). Receivers act on the code, never
/// on the accompanying human text.
public enum StopCode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The sender holds no lease for this (trial, attempt, lease id): forged, wrong attempt or lease.
    case notLeaseHolder = "not_lease_holder"
    /// The sender's lease expired or was taken back; the trial is queued or leased to another attempt.
    case leaseLost = "lease_lost"
    /// Another attempt's result is recorded for this trial.
    case superseded
    /// The trial is not part of this sweep.
    case unknownTrial = "unknown_trial"
    /// A value in the report is outside its range (an epoch past the trial's epochs, ...).
    case outOfRange = "out_of_range"
    /// Every trial is finished.
    case sweepComplete = "sweep_complete"
    /// The coordinator is stopping; the trial is requeued and resumes later.
    case shuttingDown = "shutting_down"
    /// An early-stopping rule stopped the trial after its checkpoint of the decisive epoch was
    /// stored; the coordinator may later promote it, and another attempt resumes from that checkpoint.
    case earlyStopped = "early_stopped"
    /// The coordinator paused the trial after its checkpoint was stored, to give the core to a
    /// waiting trial at the tail of the sweep; another attempt resumes from that checkpoint.
    case paused
}

/// Why a peer says BYE (SPEC.md §3.3).
public enum ByeCode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Coordinator: every trial is finished.
    case sweepComplete = "sweep_complete"
    /// Either side: stopping (signal, operator); the peer may come back later.
    case shuttingDown = "shutting_down"
    /// Coordinator: the sender's identity has not said HELLO (or was dropped as lost); greet again.
    case unknownWorker = "unknown_worker"
}

/// How a trial that produced a RESULT ended.
public enum ResultStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every epoch ran.
    case completed
    /// A loss became NaN or infinite; the epochs run until then are the result.
    case diverged
}
