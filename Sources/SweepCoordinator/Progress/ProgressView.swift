import Foundation

/// What the live progress display shows at one moment.
public struct ProgressSnapshot: Sendable, Equatable {
    public struct WorkerLine: Sendable, Equatable {
        public var worker: String
        public var host: String
        public var trial: String?
        public var epoch: Int?
        public var epochs: Int?
        public var suspect: Bool
        public var quarantined: Bool
        /// Batches finished in the running epoch, of `batches` (from BATCH_PROGRESS).
        public var batch: Int?
        public var batches: Int?
        public var tokensPerSecond: Double?
        /// Seconds the trial still needs, at its measured speed (or the plan's before it has one).
        public var etaSeconds: Double?
        /// Threads the trial trains with (elastic cores), when its worker reported it.
        public var threads: Int?
        /// The worker is idle and its cores are lent to a running trial.
        public var lending = false
        public init(worker: String, host: String, trial: String?, epoch: Int?, epochs: Int?, suspect: Bool, quarantined: Bool,
                    batch: Int? = nil, batches: Int? = nil, tokensPerSecond: Double? = nil, etaSeconds: Double? = nil) {
            self.worker = worker
            self.host = host
            self.trial = trial
            self.epoch = epoch
            self.epochs = epochs
            self.suspect = suspect
            self.quarantined = quarantined
            self.batch = batch
            self.batches = batches
            self.tokensPerSecond = tokensPerSecond
            self.etaSeconds = etaSeconds
        }
    }
    public var sweep: String
    public var counts: SchedulerCounts
    public var workers: [WorkerLine]
    /// Seconds until every trial should be finished, when it can be estimated.
    public var etaSeconds: Double?
    /// The worker job's line (SLURM id and state), when the coordinator submitted one.
    public var job: String? = nil
    public init(sweep: String, counts: SchedulerCounts, workers: [WorkerLine], etaSeconds: Double?) {
        self.sweep = sweep
        self.counts = counts
        self.workers = workers
        self.etaSeconds = etaSeconds
    }
}

/// Renders progress: on a terminal a compact block redrawn in place; elsewhere nothing (the
/// owner logs one line per event instead).
public final class ProgressView: @unchecked Sendable {
    private let output: FileHandle
    public let isTerminal: Bool
    private var linesDrawn = 0

    public init(output: FileHandle = .standardError, isTerminal: Bool? = nil) {
        self.output = output
        self.isTerminal = isTerminal ?? (isatty(output.fileDescriptor) != 0)
    }

    public static func format(seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }

    /// The lines of the compact view.
    public static func lines(_ snapshot: ProgressSnapshot) -> [String] {
        let c = snapshot.counts
        var head = "\(snapshot.sweep): \(c.finished)/\(c.total) finished — done \(c.done), running \(c.running), "
        head += "queued \(c.queued), failed \(c.failed)"
        if c.diverged > 0 { head += ", diverged \(c.diverged)" }
        if c.configError > 0 { head += ", config errors \(c.configError)" }
        if c.stopped > 0 { head += ", stopped \(c.stopped)" }
        if let eta = snapshot.etaSeconds { head += " — ETA \(format(seconds: eta))" }
        var lines = [head]
        if let job = snapshot.job { lines.append("  " + TerminalText.printable(job)) }
        for w in snapshot.workers {
            var line = "  \(TerminalText.printable(w.host)) \(TerminalText.printable(w.worker)): "
            if let trial = w.trial {
                line += "trial \(TerminalText.printable(trial))" + ProgressBar.threads(w.threads)
                if let epoch = w.epoch { line += " epoch \(epoch)" + (w.epochs.map { "/\($0)" } ?? "") }
                if let batch = w.batch, let batches = w.batches, batches > 0 {
                    line += " " + ProgressBar.bar(Double(batch) / Double(batches)) + " " + ProgressBar.percent(Double(batch) / Double(batches))
                }
                if let rate = w.tokensPerSecond { line += " " + ProgressBar.rate(rate) }
                if let eta = w.etaSeconds { line += " ETA " + format(seconds: eta) }
            } else {
                line += w.lending ? "idle (cores lent)" : "idle"
            }
            if w.suspect { line += " (suspect)" }
            if w.quarantined { line += " (quarantined)" }
            lines.append(line)
        }
        return lines
    }

    /// Redraws the block in place (terminal only).
    public func draw(_ snapshot: ProgressSnapshot) {
        guard isTerminal else { return }
        var text = ""
        if linesDrawn > 0 { text += "\u{1B}[\(linesDrawn)A" }
        let lines = Self.lines(snapshot)
        for line in lines { text += "\u{1B}[2K" + line + "\n" }
        // Clear lines left over from a taller previous block.
        if linesDrawn > lines.count {
            for _ in lines.count..<linesDrawn { text += "\u{1B}[2K\n" }
            text += "\u{1B}[\(linesDrawn - lines.count)A"
        }
        linesDrawn = lines.count
        output.write(Data(text.utf8))
    }

    /// Prints a log line above the live block; when not a terminal (a log file, a pipe, CI), with
    /// the UTC time in front (ISO 8601), since such a log is read later and must say when.
    public func log(_ line: String) {
        var text = ""
        if isTerminal {
            if linesDrawn > 0 {
                text += "\u{1B}[\(linesDrawn)A\u{1B}[J"
                linesDrawn = 0
            }
        } else {
            text += UTCDateText.iso8601(Date.now) + " "
        }
        text += TerminalText.printable(line) + "\n"
        output.write(Data(text.utf8))
    }
}
