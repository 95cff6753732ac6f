import Foundation
import GRDB
import SweepStore
import Testing

/// results.csv's config columns come from each trial's config JSON, parsed once per distinct text
/// and reused by later rewrites: every rewrite still shows each trial's own config, also one
/// changed in sweep.db between two rewrites.
@Suite struct ExportConfigParsingTests {
    private func cells(_ store: SweepStore, _ column: String) throws -> [String] {
        let rows = try parseCSV(try store.csv(.results))
        let index = try #require(rows.first?.firstIndex(of: column))
        return rows.dropFirst().map { $0[index] }
    }

    @Test func everyRewriteShowsEachTrialsOwnConfigAlsoAfterItChanged() throws {
        try withStore { store, folder in
            try store.insertTrials([shakespeareTrial(1, cell: "lstm", hidden: 128), shakespeareTrial(2, cell: "gru", hidden: 256)])
            #expect(try cells(store, "cell") == ["lstm", "gru"])
            #expect(try cells(store, "hidden_size") == ["128", "256"])
            // Rewritten again: the same cells.
            #expect(try cells(store, "cell") == ["lstm", "gru"])
            // A config edited in sweep.db by hand shows in the next rewrite.
            let edited = shakespeareTrial(1, cell: "rnn", hidden: 64).configJSON
            let queue = try DatabaseQueue(path: folder.databasePath)
            try queue.write { db in
                try db.execute(sql: "UPDATE trials SET config_json = ? WHERE trial_id = 't1'", arguments: [edited])
            }
            #expect(try cells(store, "cell") == ["rnn", "gru"])
            #expect(try cells(store, "hidden_size") == ["64", "256"])
        }
    }
}
