import SystemSupport

/// The `search` section: `samples` draws from a distribution per key, crossed with the grid
/// (every grid combination gets each sample). Sample `s`'s values depend only on the sampling
/// seed, `s` and the key, so the same file always yields the same trials.
public struct SearchSpace: Sendable {
    public struct Dimension: Sendable {
        public let key: String
        let distribution: Distribution
    }

    public let samples: Int
    public let seed: UInt64
    public let dimensions: [Dimension]

    /// The values of sample `index` (0-based), in the section's key order.
    func sample(_ index: Int) -> [GridValue] {
        dimensions.map { dimension in
            GridValue(key: dimension.key, value: dimension.distribution.value(
                unit: SampleStream.unit(seed: seed, sample: index, key: dimension.key)))
        }
    }

    /// Samples 0..<samples without repeats: a sample equal to an earlier one is left out (a choice-only
    /// space can repeat), so no two trials share an id.
    func distinctSamples() -> [[GridValue]] {
        var seen = Set<String>()
        var result: [[GridValue]] = []
        for index in 0..<samples {
            let values = sample(index)
            let identity = values.map { $0.key + "=" + JSONWriter.canonical($0.value) }.joined(separator: "\u{1F}")
            if seen.insert(identity).inserted { result.append(values) }
        }
        return result
    }
}

/// Reads and checks the `search` section.
struct SearchSpaceParser {
    let context: ErrorContext

    static let keys = ["samples", "sampling_seed", "parameters"]

    /// - Parameters:
    ///   - taken: keys already set in `model`, `training` or `grid`, with where.
    ///   - defaultSeed: the sweep's seed (`training.seed` or its default).
    func parse(_ value: JSONValue, taken: [String: String], defaultSeed: UInt64) throws(SweepFileError) -> SearchSpace {
        let path = JSONPath.root.key("search")
        guard let members = value.objectValue else {
            throw context.error(path, "expected an object {\"samples\", \"parameters\", \"sampling_seed\"}", value: value)
        }
        try context.rejectUnknownKeys(members, known: Self.keys, at: path, what: "search")
        guard let samplesValue = value["samples"] else { throw context.error(path.key("samples"), "missing: how many samples to draw") }
        let samples = try ValueRule.integer(1...SweepFile.maximumTrials, expected: "an integer in 1...\(SweepFile.maximumTrials)")
            .checkedInt(samplesValue, at: path.key("samples"), context)
        var seed = defaultSeed
        if let given = value["sampling_seed"] {
            seed = UInt64(try ValueRule.nonNegativeInteger.checkedInt(given, at: path.key("sampling_seed"), context))
        }
        let parametersPath = path.key("parameters")
        guard let parameters = value["parameters"] else {
            throw context.error(parametersPath, "missing: an object of hyperparameter name -> distribution")
        }
        guard let entries = parameters.objectValue, !entries.isEmpty else {
            throw context.error(parametersPath, "expected a non-empty object of hyperparameter name -> distribution", value: parameters)
        }
        var dimensions: [SearchSpace.Dimension] = []
        for entry in entries {
            let keyPath = parametersPath.key(entry.key)
            guard let parameter = Hyperparameter.named(entry.key) else {
                var message = "unknown hyperparameter"
                if let guess = ErrorContext.nearest(entry.key, in: Hyperparameter.gridableNames) { message += " (did you mean \"\(guess)\"?)" }
                throw context.error(keyPath, message + "; search keys are model and training keys: " + Hyperparameter.gridableNames.joined(separator: ", "))
            }
            guard parameter.gridable else {
                throw context.error(keyPath, "\(entry.key) steers execution, not the model; set it once in training, not in search")
            }
            if let other = taken[entry.key] { throw context.error(keyPath, "also given as \(other); give it in one place") }
            let distribution = try parseDistribution(entry.value, at: keyPath)
            try check(distribution, against: parameter, at: keyPath)
            dimensions.append(.init(key: entry.key, distribution: distribution))
        }
        return SearchSpace(samples: samples, seed: seed, dimensions: dimensions)
    }

    /// `{"loguniform": [1e-4, 1e-2]}`: exactly one distribution name and its arguments.
    private func parseDistribution(_ value: JSONValue, at path: JSONPath) throws(SweepFileError) -> Distribution {
        let expected = "an object with one of " + Distribution.names.map { "\"\($0)\"" }.joined(separator: ", ")
        guard let members = value.objectValue, members.count == 1, let member = members.first else {
            throw context.error(path, "expected \(expected), e.g. {\"loguniform\": [0.0001, 0.01]}", value: value)
        }
        let argsPath = path.key(member.key)
        guard Distribution.names.contains(member.key) else {
            var message = "unknown distribution; expected \(expected)"
            if let guess = ErrorContext.nearest(member.key, in: Distribution.names) { message += " (did you mean \"\(guess)\"?)" }
            throw context.error(argsPath, message)
        }
        guard let args = member.value.arrayValue else {
            throw context.error(argsPath, "expected a list of arguments", value: member.value)
        }
        switch member.key {
        case "choice":
            guard !args.isEmpty else { throw context.error(argsPath, "expected a non-empty list of values", value: member.value) }
            var seen: [String: Int] = [:]
            for (position, item) in args.enumerated() {
                let canonical = JSONWriter.canonical(item)
                if let first = seen[canonical] {
                    throw context.error(argsPath.index(position), "duplicate of \(argsPath.index(first))", value: item)
                }
                seen[canonical] = position
            }
            return .choice(args)
        case "int":
            let (low, high) = try range(args, at: argsPath, count: 2, integer)
            return .int(low, high)
        case "qloguniform":
            guard args.count == 3 else { throw context.error(argsPath, "expected [low, high, step]", value: member.value) }
            let (low, high) = try range(Array(args.prefix(2)), at: argsPath, count: 2, positiveNumber)
            let step = try positiveNumber(args[2], argsPath.index(2))
            guard step <= high else { throw context.error(argsPath.index(2), "expected a step no larger than high (\(high))", value: args[2]) }
            return .quantizedLogUniform(low, high, step: step)
        case "loguniform":
            let (low, high) = try range(args, at: argsPath, count: 2, positiveNumber)
            return .logUniform(low, high)
        default:
            let (low, high) = try range(args, at: argsPath, count: 2, number)
            return .uniform(low, high)
        }
    }

    private func integer(_ value: JSONValue, _ path: JSONPath) throws(SweepFileError) -> Int {
        guard let number = value.intValue else { throw context.error(path, "expected an integer", value: value) }
        return number
    }

    private func number(_ value: JSONValue, _ path: JSONPath) throws(SweepFileError) -> Double {
        guard let number = value.doubleValue else { throw context.error(path, "expected a number", value: value) }
        return number
    }

    private func positiveNumber(_ value: JSONValue, _ path: JSONPath) throws(SweepFileError) -> Double {
        guard let number = value.doubleValue, number > 0 else { throw context.error(path, "expected a positive number", value: value) }
        return number
    }

    /// `[low, high]` with low < high.
    private func range<T: Comparable>(_ args: [JSONValue], at path: JSONPath, count: Int,
                                      _ read: (JSONValue, JSONPath) throws(SweepFileError) -> T) throws(SweepFileError) -> (T, T) {
        guard args.count == count else { throw context.error(path, "expected [low, high]", value: .array(args)) }
        let low = try read(args[0], path.index(0))
        let high = try read(args[1], path.index(1))
        guard low < high else { throw context.error(path.index(1), "expected high above low", value: args[1]) }
        return (low, high)
    }

    /// Every value the distribution can draw must be one the key accepts.
    private func check(_ distribution: Distribution, against parameter: Hyperparameter, at path: JSONPath) throws(SweepFileError) {
        if case .choice(let values) = distribution {
            for (position, value) in values.enumerated() {
                try parameter.rule.check(value, at: path.key("choice").index(position), context)
            }
            return
        }
        let takesIntegers: Bool
        switch parameter.rule {
        case .integer: takesIntegers = true
        case .number, .nullable(.number): takesIntegers = false
        default:
            throw context.error(path, "\(parameter.name) is not a number; sample it with {\"choice\": [...]}")
        }
        if takesIntegers, !distribution.isIntegral {
            throw context.error(path, "\(parameter.name) takes integers; use \"int\" or \"qloguniform\" with integral low, high and step")
        }
        for bound in distribution.bounds {
            do { try parameter.rule.check(bound, at: path, context) } catch {
                throw context.error(path, "draws \(JSONWriter.compact(bound)), but \(parameter.name) expects \(parameter.rule.expected)")
            }
        }
    }
}
