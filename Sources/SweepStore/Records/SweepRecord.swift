import Foundation
import GRDB

/// The sweep a database belongs to, with the spec it was started from.
public struct SweepRecord: Sendable, Equatable {
    public var name: String
    public var specHash: String
    public var specJSON: String
    public var createdAt: Date
    public var updatedAt: Date

    init(row: Row) {
        name = row["name"]
        specHash = row["spec_hash"]
        specJSON = row["spec_json"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }
}

/// What `openSweep` found.
public enum SweepOpening: Sendable, Equatable {
    /// No sweep of that name was stored; it is now.
    case created
    /// The stored spec hash equals the given one: resume.
    case unchanged
    /// The stored spec differs. Nothing was changed: the caller refuses, or calls
    /// `replaceSpec` (`--extend`) or starts over with `removeDatabase` (`--fresh`).
    case changed(storedHash: String)
}
