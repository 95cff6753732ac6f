/// Lifecycle of one trial. Raw values are what the store and the CSV files contain.
public enum TrialStatus: String, Sendable, CaseIterable, Codable, Hashable {
    case queued
    case running
    case done
    case diverged
    case configError = "config_error"
    /// Infrastructure failures exhausted the trial's attempts.
    case failed
    /// An early-stopping rule or the sweep's budget stopped it (ASHA may promote it later).
    case stopped

    /// A finished trial is never scheduled again.
    public var isFinished: Bool {
        switch self {
        case .queued, .running: false
        case .done, .diverged, .configError, .failed, .stopped: true
        }
    }
}
