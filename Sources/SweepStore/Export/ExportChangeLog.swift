import GRDB
import Synchronization

/// Which rows of the tables behind results.csv and curves.csv (trials, results, epochs) committed
/// transactions changed, by rowid, as SQLite's update hook reports them. A live export reads only
/// those rows. A deleted row cannot be traced back to its trial, so any delete asks for a full
/// rebuild; so does a change the log has not seen the start of (`rebuild` is true until taken).
final class ExportChangeLog: TransactionObserver, Sendable {
    struct Changes: Sendable {
        var trials = Set<Int64>()
        var results = Set<Int64>()
        var epochs = Set<Int64>()
        var rebuild = false

        var isEmpty: Bool { trials.isEmpty && results.isEmpty && epochs.isEmpty && !rebuild }

        mutating func merge(_ other: Changes) {
            trials.formUnion(other.trials)
            results.formUnion(other.results)
            epochs.formUnion(other.epochs)
            rebuild = rebuild || other.rebuild
        }
    }

    static let tables: Set<String> = ["trials", "results", "epochs"]

    private struct State {
        /// The open transaction's changes: kept on commit, dropped on rollback.
        var pending = Changes()
        var committed = Changes(rebuild: true)
    }
    private let state = Mutex(State())

    /// Every committed change since the last call (and empties the log).
    func take() -> Changes {
        state.withLock { state in
            defer { state.committed = Changes() }
            return state.committed
        }
    }

    /// The next `take` asks for a full rebuild (an export that failed half-way).
    func requireRebuild() {
        state.withLock { $0.committed.rebuild = true }
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        Self.tables.contains(eventKind.tableName)
    }

    func databaseDidChange(with event: DatabaseEvent) {
        let kind = event.kind, table = event.tableName, rowID = event.rowID
        state.withLock { state in
            if kind == .delete {
                state.pending.rebuild = true
                return
            }
            switch table {
            case "trials": state.pending.trials.insert(rowID)
            case "results": state.pending.results.insert(rowID)
            case "epochs": state.pending.epochs.insert(rowID)
            default: break
            }
        }
    }

    func databaseDidCommit(_ db: Database) {
        state.withLock { state in
            state.committed.merge(state.pending)
            state.pending = Changes()
        }
    }

    func databaseDidRollback(_ db: Database) {
        state.withLock { $0.pending = Changes() }
    }
}
