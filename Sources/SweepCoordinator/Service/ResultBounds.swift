import SweepProtocol

/// The epoch bounds a RESULT's object must keep (SPEC.md §5).
enum ResultBounds {
    /// Why the result cannot belong to a trial of `epochs` epochs, or nil when it can.
    static func outOfRange(_ m: ResultMetrics, epochs: Int) -> String? {
        if m.epochsRun > epochs { return "epochs_run \(m.epochsRun) exceeds the trial's \(epochs) epochs" }
        if let best = m.bestEpoch, best > epochs { return "best_epoch \(best) exceeds the trial's \(epochs) epochs" }
        if m.history.count > epochs { return "history has \(m.history.count) entries for \(epochs) epochs" }
        if let bad = m.history.first(where: { $0.epoch > epochs }) { return "history epoch \(bad.epoch) exceeds \(epochs)" }
        return nil
    }
}
