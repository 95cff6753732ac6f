import Foundation
import SystemSupport

/// The `dataset` section as written: a registry name or a file, plus preprocessing.
public struct DatasetSpec: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// A name from the `DatasetRegistry`.
        case registry(String)
        /// A file; relative paths in a sweep file are resolved against the sweep file's folder.
        case file(URL)
    }

    public var source: Source
    public var preprocess: Preprocessing
    /// Add d2l's `<unk>` token to the vocabulary.
    public var unkToken: Bool

    public init(source: Source, preprocess: Preprocessing = .none, unkToken: Bool = false) {
        self.source = source
        self.preprocess = preprocess
        self.unkToken = unkToken
    }
}

/// The order trials are handed to workers (trial numbers never change).
public enum ScheduleOrder: String, Sendable, Codable, CaseIterable {
    /// Most expensive first (by `TrainingCost.estimate`), so the longest trials do not start last
    /// and leave the other workers idle at the end.
    case largestFirst = "largest-first"
    /// Trial number order.
    case fileOrder = "file-order"
    /// A fixed pseudo-random order drawn from each trial's seed. The default under early stopping:
    /// ASHA and the median rule judge a trial against those that reached its epoch before it, so
    /// the trials handed out first must be a fair sample of the grid, not its cheapest or largest
    /// models or one end of a sorted learning-rate axis.
    case shuffled
}

/// One swept key and its values, in file order.
public struct GridAxis: Sendable, Hashable {
    public var key: String
    public var values: [JSONValue]
}

/// One grid key's value in a trial, e.g. `hidden_size = 256`.
public struct GridValue: Sendable, Hashable, Codable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }

    /// The value for a CSV cell or a table: strings bare, everything else as JSON.
    public var text: String {
        if case .string(let string) = value { return string }
        return JSONWriter.compact(value)
    }

    enum CodingKeys: String, CodingKey { case key, value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        let text = try container.decode(String.self, forKey: .value)
        do { value = try JSONParser.parse(text) } catch {
            throw DecodingError.dataCorruptedError(forKey: .value, in: container, debugDescription: "not JSON: \(error.message)")
        }
    }

    /// Encodes the value as its JSON text, so any JSON value round-trips through any coder.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encode(JSONWriter.compact(value), forKey: .value)
    }
}
