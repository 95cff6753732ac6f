import SweepStore

/// A trial's early-stopping history for the report: each rung decision and promotion, in order,
/// e.g. "3 ✓ · 9 ✗ · 9 ↑" (continued at epoch 3, stopped at 9, promoted from 9).
enum ReportDecisions {
    /// Marks by trial id, from the store's `decision` and `promoted` events.
    static func marks(_ events: [EventRecord]) -> [String: String] {
        var marks: [String: [String]] = [:]
        for event in events {
            guard let trialID = event.trialID, let epoch = epoch(in: event.message) else { continue }
            let mark: String
            switch event.kind {
            case "promoted": mark = "\(epoch) ↑"
            case "decision": mark = event.message.contains(": stop (") ? "\(epoch) ✗" : "\(epoch) ✓"
            default: continue
            }
            marks[trialID, default: []].append(mark)
        }
        return marks.mapValues { $0.joined(separator: " · ") }
    }

    /// The number after " epoch " (decisions) or " from epoch " (promotions); a restarted
    /// coordinator reads which rung decisions its predecessor took with it.
    static func epoch(in message: String) -> Int? {
        guard let range = message.range(of: " epoch ") else { return nil }
        return Int(message[range.upperBound...].prefix { $0.isNumber })
    }
}
