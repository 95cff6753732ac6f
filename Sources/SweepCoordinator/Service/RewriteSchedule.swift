/// When an output of the whole sweep (results.csv and curves.csv, report.html) may be rewritten next
/// while a sweep runs. A rewrite writes every trial's rows (the report also reads every trial), so
/// it costs more the larger the sweep: rewrites are spaced by at least `interval` seconds and by
/// `costFactor` times the last rewrite's own duration, which keeps them under 1/`costFactor` of the
/// coordinator's time however many trials the sweep has. The run's end always writes them (not through this schedule).
struct RewriteSchedule: Sendable {
    let interval: Double
    static let costFactor = 20.0
    private var lastEnd = -Double.infinity
    private var lastCost = 0.0
    /// Rewrites done so far.
    private(set) var count = 0

    init(interval: Double) {
        self.interval = interval
    }

    func isDue(at now: Double) -> Bool {
        now - lastEnd >= max(interval, Self.costFactor * lastCost)
    }

    /// A rewrite ran from `start` to `end` (clock seconds).
    mutating func wrote(from start: Double, to end: Double) {
        lastEnd = end
        lastCost = end - start > 0 ? end - start : 0
        count += 1
    }
}
