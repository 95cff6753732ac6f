import Foundation

/// `coordinator status` as text: one line of counts and the ETA, then running trials, the best
/// trials and the workers.
public enum StatusText {
    public static func lines(_ p: SweepProgress) -> [String] {
        let c = p.counts
        var head = "\(TerminalText.printable(p.sweep)): \(c.total) trials — done \(c.done), running \(c.running), "
            + "queued \(c.queued), diverged \(c.diverged), config_error \(c.configError), failed \(c.failed), stopped \(c.stopped)"
        if c.queued + c.running > 0 {
            head += p.etaSeconds.map { " — ETA \(ProgressView.format(seconds: $0))" } ?? " — ETA unknown (no speed measured yet)"
            if let source = p.speedSource { head += " (speed: \(source))" }
        }
        var lines = [head]
        if !p.running.isEmpty { lines.append("running:") }
        for r in p.running {
            var line = "  #\(r.number) \(TerminalText.printable(r.trialID)) attempt \(r.attempt) on "
                + TerminalText.printable(r.workerID ?? r.host ?? "?") + ProgressBar.threads(r.threads) + ": epoch \(r.epoch)/\(r.epochs) "
            if let batch = r.batch, let batches = r.batches {
                line += ProgressBar.bar(Double(batch) / Double(max(1, batches))) + " batch \(batch)/\(batches)"
                if let rate = r.tokensPerSecond { line += ", " + ProgressBar.rate(rate) }
            } else {
                line += "(no batch progress yet)"
            }
            if let eta = r.etaSeconds { line += ", ETA \(ProgressView.format(seconds: eta))" }
            lines.append(line)
        }
        if !p.best.isEmpty { lines.append("best \(p.best.count) by val loss:") }
        for b in p.best {
            var line = "  \(b.rank). #\(b.number) \(TerminalText.printable(b.trialID)) val_loss \(String(format: "%.4f", b.valLoss))"
            if let acc = b.valAccuracy { line += " acc \(String(format: "%.3f", acc))" }
            if let params = b.parameters { line += " params \(params)" }
            if let seconds = b.trainingSeconds { line += " \(ProgressView.format(seconds: seconds))" }
            let grid = b.grid.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            if !grid.isEmpty { line += "  " + TerminalText.printable(grid) }
            lines.append(line)
        }
        if !p.workers.isEmpty { lines.append("workers:") }
        for w in p.workers {
            var line = "  \(TerminalText.printable(w.workerID)) on \(TerminalText.printable(w.host)): "
            line += w.trialID.map { "trial \(TerminalText.printable($0))" } ?? "idle"
            line += ", last seen \(ProgressView.format(seconds: w.secondsSinceSeen)) ago"
            if w.quarantined { line += " (quarantined)" }
            lines.append(line)
        }
        return lines
    }

    /// The `--json` form (docs/status.md): snake_case keys, ISO 8601 times, absent keys for unknowns.
    public static func json(_ p: SweepProgress) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(p), as: UTF8.self)
    }
}
