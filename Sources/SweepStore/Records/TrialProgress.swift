import Foundation
import GRDB

/// How far a running trial's current epoch has come: its lease holder's latest BATCH_PROGRESS.
public struct TrialProgress: Sendable, Equatable {
    public var trialID: String
    public var attempt: Int
    public var workerID: String?
    public var epoch: Int
    public var batch: Int
    public var batches: Int
    public var tokens: Int
    public var tokensPerSecond: Double
    public var updatedAt: Date
    /// Threads the holder last reported training with (elastic cores); nil when not reported.
    public var threads: Int?

    /// Most threads a stored count may name (a trainer's pool holds at most 256).
    public static let threadLimit = 256

    public init(trialID: String, attempt: Int, workerID: String?, epoch: Int, batch: Int, batches: Int, tokens: Int,
                tokensPerSecond: Double, updatedAt: Date, threads: Int? = nil) {
        self.trialID = trialID; self.attempt = attempt; self.workerID = workerID; self.epoch = epoch; self.batch = batch
        self.batches = batches; self.tokens = tokens; self.tokensPerSecond = tokensPerSecond; self.updatedAt = updatedAt
        self.threads = threads
    }

    /// The ranges the protocol guarantees; a row read back from disk is used only if it keeps them.
    public var isValid: Bool {
        let limit = Int(Int32.max)
        return !trialID.isEmpty && (1...limit).contains(attempt) && (1...limit).contains(epoch)
            && (1...limit).contains(batches) && (0...batches).contains(batch) && (0...limit).contains(tokens)
            && tokensPerSecond.isFinite && tokensPerSecond >= 0
            && (threads.map { (1...Self.threadLimit).contains($0) } ?? true)
    }

    /// A row of `trial_progress`, nil when a column is missing, of another type, or out of range
    /// (read through `DatabaseValue`, so a damaged value is rejected, never trapped on).
    init?(row: Row) {
        func value<T: DatabaseValueConvertible>(_ column: String, _: T.Type) -> T? {
            T.fromDatabaseValue(row[column] as DatabaseValue)
        }
        guard let trialID = value("trial_id", String.self), let attempt = value("attempt", Int.self),
              let epoch = value("epoch", Int.self), let batch = value("batch", Int.self),
              let batches = value("batches", Int.self), let tokens = value("tokens", Int.self),
              let rate = value("tokens_per_second", Double.self), let updated = value("updated_at", Date.self)
        else { return nil }
        // A damaged thread count is dropped alone; the rest of the row stays usable.
        let threads = value("threads", Int.self).flatMap { (1...Self.threadLimit).contains($0) ? $0 : nil }
        self.init(trialID: trialID, attempt: attempt, workerID: value("worker_id", String.self), epoch: epoch, batch: batch,
                  batches: batches, tokens: tokens, tokensPerSecond: rate, updatedAt: updated, threads: threads)
        guard isValid else { return nil }
    }
}
