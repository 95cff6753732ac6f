import Foundation
import SystemSupport

/// A sweep file, parsed and strictly validated: every key known, every value of the right type and
/// range, every grid combination a buildable model. See docs/sweep-file.md.
public struct SweepFile: Sendable {
    /// The file as the user named it (used in every message).
    public let file: String
    /// Names the run folder `runs/<name>/`; matches `[A-Za-z0-9._-]+`.
    public let name: String
    public let description: String?
    public let dataset: DatasetSpec
    public let split: SplitSpec
    public let generate: GenerationConfig
    public let grid: [GridAxis]
    public let schedule: ScheduleOrder
    /// The `search` section, if any: sampled keys crossed with the grid.
    public let search: SearchSpace?
    /// The `early_stopping` section, if any.
    public let earlyStopping: EarlyStopping?
    /// The parsed document, in file order.
    public let document: JSONValue
    /// SHA-256 of the file's bytes, to notice a changed sweep file on resume.
    public let sourceSHA256: String

    /// One per trial, in trial-number order.
    let combinations: [Combination]

    /// The limit on trials one file may expand to.
    public static let maximumTrials = 100_000

    /// Reads and validates a sweep file. `file` (default: the URL's path as given) names it in errors.
    public init(contentsOf url: URL, file: String? = nil, registry: DatasetRegistry = .standard) throws(SweepFileError) {
        let shown = file ?? url.relativePath
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SweepFileError(file: shown, path: "", message: "cannot read the sweep file (\(Self.reason(error)))")
        }
        try self.init(data: data, file: shown, directory: url.deletingLastPathComponent(), registry: registry)
    }

    /// Validates a sweep file's bytes; relative dataset paths resolve against `directory`.
    public init(data: Data, file: String, directory: URL, registry: DatasetRegistry = .standard) throws(SweepFileError) {
        let context = ErrorContext(file: file)
        let document: JSONValue
        do { document = try JSONParser.parse(Array(data)) } catch {
            throw SweepFileError(file: file, path: "line \(error.line), column \(error.column)", message: error.message)
        }
        let parsed = try SweepFileParser(context: context, registry: registry, directory: directory).parse(document)
        self.file = file
        self.name = parsed.name
        self.description = parsed.description
        self.dataset = parsed.dataset
        self.split = parsed.split
        self.generate = parsed.generate
        self.grid = parsed.grid
        self.schedule = parsed.schedule
        self.search = parsed.search
        self.earlyStopping = parsed.earlyStopping
        self.document = document
        self.sourceSHA256 = SHA256Hex.digest(data)
        self.combinations = parsed.combinations
    }

    /// Number of trials the grid expands to.
    public var trialCount: Int { combinations.count }

    /// The dataset identity when it is known without reading anything (a registry name).
    public func registryDataset(in registry: DatasetRegistry = .standard) -> DatasetSettings? {
        guard case .registry(let name) = dataset.source, let entry = registry.entry(named: name) else { return nil }
        return DatasetSettings(name: entry.name, sha256: entry.sha256, preprocess: dataset.preprocess, unkToken: dataset.unkToken)
    }

    /// The trials, numbered from 1 in expansion order (search samples outermost, then the first grid key).
    public func trials(dataset resolved: ResolvedDataset) -> [Trial] {
        trials(dataset: DatasetSettings(name: resolved.name, sha256: resolved.sha256, preprocess: dataset.preprocess,
                                        unkToken: dataset.unkToken))
    }

    /// The trials for a dataset identity (see `registryDataset(in:)` to plan without the file).
    public func trials(dataset settings: DatasetSettings) -> [Trial] {
        combinations.enumerated().map { position, combination in
            let config = TrialConfig(model: combination.model, training: combination.training, split: split, dataset: settings, generate: generate)
            let id = config.trialID
            return Trial(number: position + 1, id: id, seed: TrialConfig.trialSeed(sweepSeed: config.training.seed, trialID: id), config: config, gridValues: combination.gridValues)
        }
    }

    static func reason(_ error: any Error) -> String {
        let cocoa = error as NSError
        if cocoa.domain == NSCocoaErrorDomain, cocoa.code == NSFileReadNoSuchFileError { return "no such file" }
        if let number = StorageFault.errorNumber(of: error) { return String(cString: strerror(number)) }
        return cocoa.localizedDescription
    }
}

/// One grid combination, resolved.
struct Combination: Sendable {
    var model: ModelConfig
    var training: TrainingConfig
    var gridValues: [GridValue]
    /// Where each model/training key's value came from: `grid.hidden_size[2]`, `model.cell`, or
    /// `training.sequence_length (default)`.
    var sources: [String: String]
}
