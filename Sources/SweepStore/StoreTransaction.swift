import Foundation
import GRDB

/// The mutations of one write transaction on sweep.db: everything done through it inside one
/// `SweepStore.write` commits together, or nothing does (a throw rolls all of it back). So a caller
/// can make a trial's bookkeeping (an assignment and its event; a result, its attempt, its lineage
/// and its events) one commit instead of several. Valid only inside the `write` call that made it.
public struct StoreTransaction {
    let db: Database
    /// Trials this transaction has found in the table. Trials are never deleted, so the check that
    /// guards each write runs once per trial and transaction, not once per write (a trial's result
    /// commits with its epochs, checkpoint rows and lineage).
    let knownTrials = KnownTrials()

    final class KnownTrials {
        var ids: Set<String> = []
    }

    /// Throws `unknownTrial` unless the trial exists.
    func requireTrialExists(_ trialID: String) throws {
        guard !knownTrials.ids.contains(trialID) else { return }
        _ = try trialState(trialID)
    }

    /// The trial's status and attempt count, read now (writes earlier in the transaction may have
    /// changed them); throws `unknownTrial` unless the trial exists.
    func trialState(_ trialID: String) throws -> (status: TrialStatus, attempts: Int) {
        let state = try SweepStore.requireTrialState(db, trialID)
        knownTrials.ids.insert(trialID)
        return state
    }
}

extension SweepStore {
    /// Runs `body` as one transaction. `durable`: the commit runs at synchronous FULL, so it and
    /// every earlier commit survive power loss when this returns (`durableWrite`).
    public func write<T>(durable: Bool = false, _ body: (StoreTransaction) throws -> T) throws -> T {
        let value = durable ? try durableWrite { db in try body(StoreTransaction(db: db)) }
                            : try pool.write { db in try body(StoreTransaction(db: db)) }
        committed.add(1, ordering: .relaxed)
        return value
    }

    /// Throws `unknownTrial` unless the trial exists; reads only its status and attempt count (a
    /// write path's check, without decoding the trial's config and grid).
    static func requireTrialState(_ db: Database, _ trialID: String) throws -> (status: TrialStatus, attempts: Int) {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT status, attempts FROM trials WHERE trial_id = ?"),
                                   arguments: [trialID])
        guard let row else { throw StoreError.unknownTrial(trialID) }
        let raw: String = row["status"]
        guard let status = TrialStatus(rawValue: raw) else {
            throw StoreError.corruptValue(table: "trials", column: "status", key: trialID, value: raw)
        }
        let attempts: Int = row["attempts"]
        return (status, attempts)
    }
}
