import Foundation
import GRDB

/// One grid hyperparameter of a trial: its key and the text its CSV cell shows
/// (e.g. `("sequence_length", "20")`, `("cell", "lstm")`, `("fc_hidden", "[128,64]")`).
public struct GridEntry: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A trial as the coordinator expands it from the sweep file, before it is stored.
public struct NewTrial: Sendable, Equatable {
    /// Position in the grid expansion (the CSV's `trial` column; the Shakespeare grid counts from 1).
    public var number: Int
    public var trialID: String
    /// The trial's full config as a JSON object.
    public var configJSON: String
    /// The grid hyperparameters, in the order the sweep file lists them.
    public var grid: [GridEntry]
    /// Relative cost for scheduling (e.g. MACs × tokens); nil if unknown.
    public var estimatedCost: Double?
    public var parameters: Int?

    public init(number: Int, trialID: String, configJSON: String, grid: [GridEntry],
                estimatedCost: Double? = nil, parameters: Int? = nil) {
        self.number = number
        self.trialID = trialID
        self.configJSON = configJSON
        self.grid = grid
        self.estimatedCost = estimatedCost
        self.parameters = parameters
    }
}

/// A stored trial.
public struct TrialRecord: Sendable, Equatable {
    public var number: Int
    public var trialID: String
    public var configJSON: String
    public var grid: [GridEntry]
    public var status: TrialStatus
    /// Attempts started so far (a requeue keeps the count).
    public var attempts: Int
    /// Attempts before the last `--retry-failed`; infra failures up to it no longer count.
    public var retryFromAttempt: Int
    /// Worker holding the trial while running.
    public var workerID: String?
    public var leaseExpiresAt: Date?
    public var estimatedCost: Double?
    public var parameters: Int?
    public var createdAt: Date
    public var updatedAt: Date

    init(row: Row) throws {
        trialID = row["trial_id"]
        number = row["number"]
        configJSON = row["config_json"]
        let gridJSON: String = row["grid_json"]
        grid = try GridCoding.decode(gridJSON, trialID: trialID)
        let rawStatus: String = row["status"]
        guard let status = TrialStatus(rawValue: rawStatus) else {
            throw StoreError.corruptValue(table: "trials", column: "status", key: trialID, value: rawStatus)
        }
        self.status = status
        attempts = row["attempts"]
        retryFromAttempt = row["retry_from_attempt"]
        workerID = row["worker_id"]
        leaseExpiresAt = row["lease_expires_at"]
        estimatedCost = row["estimated_cost"]
        parameters = row["parameters"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }
}

/// Order in which queued trials are handed out.
public enum QueueOrder: Sendable, Equatable {
    /// Grid order (trial number ascending).
    case number
    /// Longest first (estimated cost descending, unknown cost last), then number: keeps the
    /// sweep's tail short when trials differ widely in cost.
    case costDescending
    /// Shortest first, then number.
    case costAscending
}

/// Grid pairs are stored as a JSON array of `[key, value]` arrays, which keeps their order.
enum GridCoding {
    static func encode(_ grid: [GridEntry]) -> String {
        let pairs = grid.map { [$0.key, $0.value] }
        // Arrays of strings always serialize.
        let data = (try? JSONSerialization.data(withJSONObject: pairs, options: [])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ json: String, trialID: String) throws -> [GridEntry] {
        let corrupt = StoreError.corruptValue(table: "trials", column: "grid_json", key: trialID, value: json)
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
              let pairs = object as? [[String]] else { throw corrupt }
        return try pairs.map { pair in
            guard pair.count == 2 else { throw corrupt }
            return GridEntry(key: pair[0], value: pair[1])
        }
    }
}
