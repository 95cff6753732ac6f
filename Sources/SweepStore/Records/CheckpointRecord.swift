import Foundation
import GRDB

/// A checkpoint file the coordinator keeps for a trial.
public struct CheckpointRecord: Sendable, Equatable {
    public var trialID: String
    /// The attempt that uploaded it (nil for checkpoints stored before attempts were recorded).
    public var attempt: Int?
    public var epoch: Int
    /// Path as the caller gave it (relative to the run folder, by convention).
    public var path: String
    public var sha256: String
    public var bytes: Int
    public var isBest: Bool
    public var isLatest: Bool
    public var createdAt: Date

    init(row: Row) {
        trialID = row["trial_id"]
        attempt = row["attempt"]
        epoch = row["epoch"]
        path = row["path"]
        sha256 = row["sha256"]
        bytes = row["bytes"]
        isBest = row["is_best"]
        isLatest = row["is_latest"]
        createdAt = row["created_at"]
    }
}

/// What `recordCheckpoint` changed.
public struct CheckpointUpdate: Sendable, Equatable {
    /// Files that are neither latest nor best any more (and not referenced by any other
    /// checkpoint row): the caller may delete them.
    public var obsoletePaths: [String]
}
