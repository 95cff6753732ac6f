import Foundation
import SystemSupport

/// Turns a JSON document into a validated sweep: sections, grid, and every combination resolved.
struct SweepFileParser {
    let context: ErrorContext
    let registry: DatasetRegistry
    let directory: URL

    struct Parsed {
        var name: String
        var description: String?
        var dataset: DatasetSpec
        var split: SplitSpec
        var generate: GenerationConfig
        var grid: [GridAxis]
        var schedule: ScheduleOrder
        var search: SearchSpace?
        var earlyStopping: EarlyStopping?
        var combinations: [Combination]
    }

    static let topLevelKeys = ["name", "description", "dataset", "split", "training", "model", "generate", "grid", "search",
                               "early_stopping", "schedule"]

    func parse(_ document: JSONValue) throws(SweepFileError) -> Parsed {
        let root = JSONPath.root
        guard let members = document.objectValue else {
            throw context.error("", "expected a JSON object at the top level, not \(document.typeName)")
        }
        try context.rejectUnknownKeys(members, known: Self.topLevelKeys, at: root, what: "a sweep file")

        let name = try parseName(document["name"])
        var description: String?
        if let value = document["description"] {
            guard let text = value.stringValue else { throw context.error(root.key("description"), "expected a string", value: value) }
            description = text
        }
        guard let datasetValue = document["dataset"] else {
            throw context.error(root.key("dataset"), "missing: give a registry name (\(registry.names.joined(separator: ", "))) or {\"path\": \"file.txt\"}")
        }
        let dataset = try parseDataset(datasetValue, at: root.key("dataset"))
        let split = try parseSplit(document["split"], at: root.key("split"))
        let generate = try parseGenerate(document["generate"], at: root.key("generate"))
        let model = try parseSection(document["model"], section: .model)
        let training = try parseSection(document["training"], section: .training)
        let grid = try parseGrid(document["grid"], fixed: model.merging(training) { first, _ in first })
        var givenSchedule: ScheduleOrder?
        if let value = document["schedule"] {
            givenSchedule = try ValueRule.checkedChoice(of: ScheduleOrder.self, value, at: root.key("schedule"), context)
        }
        let fixed = model.merging(training) { first, _ in first }
        var search: SearchSpace?
        if let value = document["search"] {
            var taken = fixed.mapValues(\.source)
            for axis in grid { taken[axis.key] = root.key("grid").key(axis.key).description }
            let seed = fixed["seed"]?.value.intValue.map { UInt64($0) } ?? TrainingConfig().seed
            let space = try SearchSpaceParser(context: context).parse(value, taken: taken, defaultSeed: seed)
            let gridCount = grid.reduce(1) { $0 * $1.values.count }
            guard gridCount.multipliedReportingOverflow(by: space.samples).partialValue <= SweepFile.maximumTrials,
                  !gridCount.multipliedReportingOverflow(by: space.samples).overflow else {
                throw context.error(root.key("search").key("samples"), "the grid (\(gridCount)) times samples expands to more than \(SweepFile.maximumTrials) trials",
                                    value: .init(space.samples))
            }
            search = space
        }
        var resolver = CombinationResolver(context: context, fixed: fixed, grid: grid)
        if let search { resolver.samples = search.distinctSamples() }
        let combinations = try resolver.resolveAll()
        for combination in combinations where combination.training.objective == .everyStep && split.kind == .windows {
            throw context.error(combination.sources["objective"] ?? "training.objective", "split \"windows\" needs a windowed objective (\"last-step\" or \"window-every-step\"); every-step streams need contiguous text", value: .string("every-step"))
        }
        var earlyStopping: EarlyStopping?
        if let value = document["early_stopping"] {
            let epochs = combinations.map { (epochs: $0.training.epochs, checkpointEvery: $0.training.checkpointEvery,
                                             source: $0.sources["epochs"] ?? "training.epochs") }
            earlyStopping = try EarlyStoppingParser(context: context).parse(value, trialEpochs: epochs)
        }
        let schedule = givenSchedule ?? (earlyStopping == nil ? .largestFirst : .shuffled)
        return Parsed(name: name, description: description, dataset: dataset, split: split, generate: generate, grid: grid, schedule: schedule,
                      search: search, earlyStopping: earlyStopping, combinations: combinations)
    }

    // MARK: Sections

    private func parseName(_ value: JSONValue?) throws(SweepFileError) -> String {
        let path = JSONPath.root.key("name")
        guard let value else { throw context.error(path, "missing: the sweep needs a name (it names the run folder runs/<name>/)") }
        guard let text = value.stringValue, !text.isEmpty, text != ".", text != "..",
              text.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) })
        else { throw context.error(path, "expected a name of letters, digits, '.', '_' and '-' (it names the run folder)", value: value) }
        return text
    }

    private func parseDataset(_ value: JSONValue, at path: JSONPath) throws(SweepFileError) -> DatasetSpec {
        if let name = value.stringValue {
            return DatasetSpec(source: .registry(try registryName(name, at: path)))
        }
        guard let members = value.objectValue else {
            throw context.error(path, "expected a registry name or an object {\"name\" or \"path\", \"preprocess\"}", value: value)
        }
        try context.rejectUnknownKeys(members, known: ["name", "path", "preprocess", "unk_token"], at: path, what: "dataset")
        var preprocess = Preprocessing.none
        if let given = value["preprocess"] {
            preprocess = try ValueRule.checkedChoice(of: Preprocessing.self, given, at: path.key("preprocess"), context)
        }
        var unkToken = false
        if let given = value["unk_token"] {
            unkToken = try ValueRule.boolean.checkedBool(given, at: path.key("unk_token"), context)
        }
        switch (value["name"], value["path"]) {
        case (let name?, nil):
            guard let text = name.stringValue else { throw context.error(path.key("name"), "expected a string", value: name) }
            return DatasetSpec(source: .registry(try registryName(text, at: path.key("name"))), preprocess: preprocess, unkToken: unkToken)
        case (nil, let file?):
            guard let text = file.stringValue, !text.isEmpty else { throw context.error(path.key("path"), "expected a file path", value: file) }
            let url = text.hasPrefix("/") ? URL(fileURLWithPath: text) : directory.appendingPathComponent(text)
            return DatasetSpec(source: .file(url.standardizedFileURL), preprocess: preprocess, unkToken: unkToken)
        case (.some, .some):
            throw context.error(path, "give either \"name\" or \"path\", not both")
        case (nil, nil):
            throw context.error(path, "missing \"name\" (\(registry.names.joined(separator: ", "))) or \"path\"")
        }
    }

    private func registryName(_ name: String, at path: JSONPath) throws(SweepFileError) -> String {
        guard registry.entry(named: name) != nil else {
            throw context.error(path, "unknown dataset; known: \(registry.names.joined(separator: ", ")), or give {\"path\": \"file.txt\"}", value: .string(name))
        }
        return name
    }

    private func parseSplit(_ value: JSONValue?, at path: JSONPath) throws(SweepFileError) -> SplitSpec {
        var split = SplitSpec()
        guard let value else { return split }
        guard let members = value.objectValue else { throw context.error(path, "expected an object {\"kind\", \"fraction\"}", value: value) }
        try context.rejectUnknownKeys(members, known: ["kind", "fraction", "train_windows", "validation_windows"], at: path, what: "split")
        if let kind = value["kind"] {
            split.kind = try ValueRule.checkedChoice(of: SplitKind.self, kind, at: path.key("kind"), context)
        }
        if let fraction = value["fraction"] {
            let given = try ValueRule.openFraction.checkedDouble(fraction, at: path.key("fraction"), context)
            if split.kind == .windows {
                throw context.error(path.key("fraction"), "split \"windows\" counts windows (train_windows, validation_windows), not a fraction", value: fraction)
            }
            split.fraction = given
        }
        for key in ["train_windows", "validation_windows"] {
            guard let given = value[key] else {
                if split.kind == .windows { throw context.error(path.key(key), "missing: split \"windows\" needs train_windows and validation_windows") }
                continue
            }
            guard split.kind == .windows else {
                throw context.error(path.key(key), "applies only to split kind \"windows\" (kind is \"\(split.kind.rawValue)\")", value: given)
            }
            let windows = try ValueRule.positiveInteger.checkedInt(given, at: path.key(key), context)
            if key == "train_windows" { split.trainWindows = windows } else { split.validationWindows = windows }
        }
        return split
    }

    private func parseGenerate(_ value: JSONValue?, at path: JSONPath) throws(SweepFileError) -> GenerationConfig {
        guard let value else { return Self.promptingFromTheStart(GenerationConfig()) }
        guard let members = value.objectValue else { throw context.error(path, "expected an object", value: value) }
        try context.rejectUnknownKeys(members, known: ["length", "prompts", "prompt_files", "prompt_slices", "mode", "temperature"], at: path, what: "generate")
        let defaults = GenerationConfig()
        var length = defaults.length, mode = defaults.mode, temperature = defaults.temperature
        var prompts: [String] = [], slices: [PromptSlice] = []
        if let given = value["length"] {
            length = try ValueRule.nonNegativeInteger.checkedInt(given, at: path.key("length"), context)
        }
        if let given = value["mode"] {
            mode = try ValueRule.checkedChoice(of: GenerationConfig.Mode.self, given, at: path.key("mode"), context)
        }
        if let given = value["temperature"] {
            temperature = try ValueRule.nonNegativeNumber.checkedDouble(given, at: path.key("temperature"), context)
        }
        if let given = value["prompts"] {
            guard let items = given.arrayValue else { throw context.error(path.key("prompts"), "expected a list of strings", value: given) }
            for (position, item) in items.enumerated() {
                guard let text = item.stringValue, !text.isEmpty else {
                    throw context.error(path.key("prompts").index(position), "expected a non-empty string", value: item)
                }
                prompts.append(text)
            }
        }
        if let given = value["prompt_files"] {
            prompts += try readPromptFiles(given, at: path.key("prompt_files"))
        }
        if let given = value["prompt_slices"] {
            let listPath = path.key("prompt_slices")
            guard let items = given.arrayValue else { throw context.error(listPath, "expected a list of {\"offset\", \"length\"}", value: given) }
            for (position, item) in items.enumerated() {
                let itemPath = listPath.index(position)
                guard let fields = item.objectValue else { throw context.error(itemPath, "expected an object {\"offset\", \"length\"}", value: item) }
                try context.rejectUnknownKeys(fields, known: ["offset", "length"], at: itemPath, what: "a prompt slice")
                guard let offset = item["offset"] else { throw context.error(itemPath.key("offset"), "missing") }
                guard let count = item["length"] else { throw context.error(itemPath.key("length"), "missing") }
                let sliceOffset = try ValueRule.nonNegativeInteger.checkedInt(offset, at: itemPath.key("offset"), context)
                let sliceLength = try ValueRule.positiveInteger.checkedInt(count, at: itemPath.key("length"), context)
                slices.append(.init(offset: sliceOffset, length: sliceLength))
            }
        }
        return Self.promptingFromTheStart(GenerationConfig(length: length, prompts: prompts, promptSlices: slices, mode: mode, temperature: temperature))
    }

    /// Prompts kept in text files (relative to the sweep file's folder), read byte for byte, so
    /// indentation and line breaks survive. Their text, not their path, joins the prompts and so
    /// the trial ids.
    private func readPromptFiles(_ value: JSONValue, at path: JSONPath) throws(SweepFileError) -> [String] {
        guard let items = value.arrayValue else { throw context.error(path, "expected a list of file paths", value: value) }
        var prompts: [String] = []
        for (position, item) in items.enumerated() {
            let itemPath = path.index(position)
            guard let name = item.stringValue, !name.isEmpty else { throw context.error(itemPath, "expected a file path", value: item) }
            let url = name.hasPrefix("/") ? URL(fileURLWithPath: name) : directory.appendingPathComponent(name)
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw context.error(itemPath, "cannot read the prompt file \(url.standardizedFileURL.path) (\(SweepFile.reason(error)))", value: item)
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw context.error(itemPath, "the prompt file is not valid UTF-8", value: item)
            }
            guard !text.isEmpty else { throw context.error(itemPath, "the prompt file is empty", value: item) }
            prompts.append(text)
        }
        return prompts
    }

    /// A sweep file without prompts generates from the text's first character. The slice is
    /// spelled out (the trainer's own fallback prompt is longer) and is part of every trial id.
    private static func promptingFromTheStart(_ generate: GenerationConfig) -> GenerationConfig {
        var generate = generate
        if generate.prompts.isEmpty && generate.promptSlices.isEmpty { generate.promptSlices = [PromptSlice(offset: 0, length: 1)] }
        return generate
    }

    /// A `model` or `training` section: its keys checked, values validated, with their paths.
    private func parseSection(_ value: JSONValue?, section: Hyperparameter.Section) throws(SweepFileError) -> [String: SourcedValue] {
        guard let value else { return [:] }
        let path = JSONPath.root.key(section.rawValue)
        guard let members = value.objectValue else { throw context.error(path, "expected an object", value: value) }
        try context.rejectUnknownKeys(members, known: Hyperparameter.names(in: section), at: path, what: section.rawValue)
        var values: [String: SourcedValue] = [:]
        for member in members {
            let keyPath = path.key(member.key)
            // rejectUnknownKeys has let through only this section's names.
            guard let parameter = Hyperparameter.named(member.key) else { throw context.error(keyPath, "unknown key in \(section.rawValue)") }
            try parameter.rule.check(member.value, at: keyPath, context)
            values[member.key] = SourcedValue(value: member.value, source: keyPath.description)
        }
        return values
    }

    private func parseGrid(_ value: JSONValue?, fixed: [String: SourcedValue]) throws(SweepFileError) -> [GridAxis] {
        guard let value else { return [] }
        let path = JSONPath.root.key("grid")
        guard let members = value.objectValue else { throw context.error(path, "expected an object: hyperparameter name -> list of values", value: value) }
        var axes: [GridAxis] = []
        var count = 1
        for member in members {
            let keyPath = path.key(member.key)
            guard let parameter = Hyperparameter.named(member.key) else {
                var message = "unknown hyperparameter"
                if let guess = ErrorContext.nearest(member.key, in: Hyperparameter.gridableNames) { message += " (did you mean \"\(guess)\"?)" }
                message += "; grid keys are model and training keys: " + Hyperparameter.gridableNames.joined(separator: ", ")
                throw context.error(keyPath, message)
            }
            guard parameter.gridable else {
                throw context.error(keyPath, "\(member.key) steers execution, not the model; set it once in training, not in the grid")
            }
            if let other = fixed[member.key] {
                throw context.error(keyPath, "also given as \(other.source); give it in one place")
            }
            guard let values = member.value.arrayValue else { throw context.error(keyPath, "expected a list of values", value: member.value) }
            guard !values.isEmpty else { throw context.error(keyPath, "expected a non-empty list of values", value: member.value) }
            var seen: [String: Int] = [:]
            for (position, item) in values.enumerated() {
                try parameter.rule.check(item, at: keyPath.index(position), context)
                let canonical = JSONWriter.canonical(item)
                if let first = seen[canonical] {
                    throw context.error(keyPath.index(position), "duplicate of \(keyPath.index(first)) (trials would repeat)", value: item)
                }
                seen[canonical] = position
            }
            count = count.multipliedReportingOverflow(by: values.count).overflow ? Int.max : count * values.count
            guard count <= SweepFile.maximumTrials else {
                throw context.error(path, "expands to more than \(SweepFile.maximumTrials) trials")
            }
            axes.append(GridAxis(key: member.key, values: values))
        }
        return axes
    }
}

/// A validated value and the JSON path it came from.
struct SourcedValue: Sendable {
    var value: JSONValue
    var source: String
}
