import Foundation

/// Errors the store reports to its callers; every case names what was wrong.
public enum StoreError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case unknownTrial(String)
    case unknownWorker(String)
    /// A stored value could not be read back (e.g. a hand-edited database).
    case corruptValue(table: String, column: String, key: String, value: String)
    /// A caller asked for a transition the trial's current status does not allow.
    case invalidTransition(trialID: String, from: TrialStatus, to: TrialStatus)
    /// A result must carry a finished status.
    case resultStatusNotFinished(trialID: String, status: TrialStatus)
    case exportFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownTrial(let id):
            "unknown trial id '\(id)'"
        case .unknownWorker(let id):
            "unknown worker id '\(id)'"
        case let .corruptValue(table, column, key, value):
            "sweep.db: \(table).\(column) of '\(key)' holds an unreadable value '\(value)'"
        case let .invalidTransition(id, from, to):
            "trial '\(id)' cannot go from \(from.rawValue) to \(to.rawValue)"
        case let .resultStatusNotFinished(id, status):
            "result for trial '\(id)' has status '\(status.rawValue)'; expected done, diverged, config_error or failed"
        case let .exportFailed(path, reason):
            "cannot write \(path): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
