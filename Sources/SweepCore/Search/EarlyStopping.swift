import SystemSupport

/// The `early_stopping` section: which rule stops hopeless trials, and an optional budget that
/// ends the sweep when spent (docs/sweep-file.md, "early_stopping"). The coordinator's scheduler
/// applies it; this type only says what the file asked for.
public struct EarlyStopping: Sendable, Equatable {
    public enum Rule: Sendable, Equatable {
        /// Asynchronous successive halving: rungs at `minEpochs`·η^k below `maxEpochs`.
        case asha(minEpochs: Int, maxEpochs: Int, reductionFactor: Int)
        /// Stop at epoch e (after `graceEpochs`) when the trial's best val_loss is worse than the
        /// median of the other trials' val_loss at e; needs `minTrials` others at e.
        case median(graceEpochs: Int, minTrials: Int)
        /// No rule (`"none"` in the file): only the budget.
        case budgetOnly
    }

    public enum Budget: Sendable, Equatable {
        /// Epochs trained over all trials.
        case trialEpochs(Int)
        /// Seconds of training over all trials (as workers report them per epoch).
        case trialSeconds(Double)
    }

    public let rule: Rule
    public let budget: Budget?

    public init(rule: Rule, budget: Budget? = nil) {
        self.rule = rule
        self.budget = budget
    }

    /// The metric every rule compares (lower is better); the only one so far.
    public static let metric = "val_loss"

    /// ASHA's rung epochs: min·η^k for k = 0, 1, ... while below `maxEpochs`.
    public static func rungs(minEpochs: Int, maxEpochs: Int, reductionFactor: Int) -> [Int] {
        var rungs: [Int] = []
        var epoch = minEpochs
        while epoch < maxEpochs {
            rungs.append(epoch)
            let next = epoch.multipliedReportingOverflow(by: reductionFactor)
            if next.overflow { break }
            epoch = next.partialValue
        }
        return rungs
    }
}

/// Reads and checks the `early_stopping` section.
struct EarlyStoppingParser {
    let context: ErrorContext

    static let rules = ["asha", "median", "none"]

    /// `epochs`: each trial's configured epochs and where they came from, to check the rule fits.
    func parse(_ value: JSONValue, trialEpochs: [(epochs: Int, checkpointEvery: Int, source: String)]) throws(SweepFileError) -> EarlyStopping {
        let path = JSONPath.root.key("early_stopping")
        guard let members = value.objectValue else {
            throw context.error(path, "expected an object {\"rule\": \"asha\" | \"median\" | \"none\", ...}", value: value)
        }
        guard let ruleValue = value["rule"] else { throw context.error(path.key("rule"), "missing: \"asha\", \"median\" or \"none\"") }
        let ruleName = try ValueRule.choice(Self.rules).checkedString(ruleValue, at: path.key("rule"), context)
        let specific: [String] = switch ruleName {
        case "asha": ["min_epochs", "max_epochs", "reduction_factor"]
        case "median": ["grace_epochs", "min_trials"]
        default: []
        }
        try context.rejectUnknownKeys(members, known: ["rule", "metric", "budget"] + specific, at: path, what: "early_stopping (rule \"\(ruleName)\")")
        if let metric = value["metric"] {
            try ValueRule.choice([EarlyStopping.metric]).check(metric, at: path.key("metric"), context)
        }
        var budget: EarlyStopping.Budget?
        if let given = value["budget"] { budget = try parseBudget(given, at: path.key("budget")) }
        switch ruleName {
        case "asha":
            let minimum = try integer(value, "min_epochs", at: path, rule: .positiveInteger)
            let maximum = try integer(value, "max_epochs", at: path, rule: .positiveInteger)
            let factor = try integer(value, "reduction_factor", at: path, rule: .integer(2...100, expected: "an integer in 2...100"))
            guard minimum < maximum else {
                throw context.error(path.key("min_epochs"), "expected fewer epochs than max_epochs (\(maximum))", value: .init(minimum))
            }
            let rungs = EarlyStopping.rungs(minEpochs: minimum, maxEpochs: maximum, reductionFactor: factor)
            for trial in trialEpochs {
                guard trial.epochs == maximum else {
                    throw context.error(path.key("max_epochs"), "expected the trials' epochs (\(trial.epochs) from \(trial.source))", value: .init(maximum))
                }
                // A trial stopped at a rung resumes from that rung's checkpoint when promoted.
                if let rung = rungs.first(where: { $0 % trial.checkpointEvery != 0 }) {
                    throw context.error(path.key("min_epochs"), "rung epoch \(rung) has no checkpoint: checkpoint_every (\(trial.checkpointEvery)) must divide every rung epoch (\(rungs.map(String.init).joined(separator: ", ")))")
                }
            }
            return EarlyStopping(rule: .asha(minEpochs: minimum, maxEpochs: maximum, reductionFactor: factor), budget: budget)
        case "median":
            var grace = 1, minTrials = 3
            if value["grace_epochs"] != nil { grace = try integer(value, "grace_epochs", at: path, rule: .nonNegativeInteger) }
            if value["min_trials"] != nil { minTrials = try integer(value, "min_trials", at: path, rule: .positiveInteger) }
            return EarlyStopping(rule: .median(graceEpochs: grace, minTrials: minTrials), budget: budget)
        default:
            guard budget != nil else { throw context.error(path.key("budget"), "missing: rule \"none\" only makes sense with a budget") }
            return EarlyStopping(rule: .budgetOnly, budget: budget)
        }
    }

    private func integer(_ value: JSONValue, _ key: String, at path: JSONPath, rule: ValueRule) throws(SweepFileError) -> Int {
        guard let given = value[key] else { throw context.error(path.key(key), "missing") }
        return try rule.checkedInt(given, at: path.key(key), context)
    }

    private func parseBudget(_ value: JSONValue, at path: JSONPath) throws(SweepFileError) -> EarlyStopping.Budget {
        guard let members = value.objectValue, members.count == 1, let member = members.first else {
            throw context.error(path, "expected {\"trial_epochs\": N} or {\"trial_seconds\": S}", value: value)
        }
        switch member.key {
        case "trial_epochs":
            return .trialEpochs(try ValueRule.positiveInteger.checkedInt(member.value, at: path.key(member.key), context))
        case "trial_seconds":
            return .trialSeconds(try ValueRule.positiveNumber.checkedDouble(member.value, at: path.key(member.key), context))
        default:
            throw context.error(path.key(member.key), "unknown budget; expected \"trial_epochs\" or \"trial_seconds\"")
        }
    }
}
