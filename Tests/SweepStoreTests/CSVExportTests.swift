import Foundation
import SweepStore
import Testing
import TrialSpec

@Suite struct CSVExportTests {
    static let fixedHeader = """
        cell,layers,sequence_length,hidden_size,fc_layers,objective,split,epochs_run,best_epoch,train_loss,\
        val_loss,val_accuracy,val_perplexity,overfit_pct,training_seconds,inference_seconds_per_1000_chars,\
        parameters,size_mb,macs_per_char,tokens_per_second,worker_host,attempts,status,stopped_epoch,sample
        """
    static let awkwardSample = "KING, said \"no\",\nand then\r\nleft, \"\"quoted\"\"\n\n  end"

    /// Three Shakespeare trials: t1 done, t2 running, t3 queued.
    private func populate(_ store: SweepStore) throws {
        try store.insertTrials([
            shakespeareTrial(1), shakespeareTrial(2, cell: "gru", hidden: 256, fc: 2),
            shakespeareTrial(3, sequenceLength: 30, hidden: 512, fc: 3),
        ])
        try store.markRunning(trialID: "t1", workerID: "w1", host: "host1", leaseExpiresAt: time(60))
        #expect(try store.recordResult(doneResult("t1", sample: Self.awkwardSample)) == .recorded)
        try store.markRunning(trialID: "t2", workerID: "w2", host: "host2", leaseExpiresAt: time(60))
    }

    @Test func resultsHeaderIsExactWithOneRowPerTrial() throws {
        try withStore { store, folder in
            try populate(store)
            let path = folder.file("results.csv")
            try store.export(.results, to: path)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.hasPrefix("trial,trial_id," + Self.fixedHeader + "\r\n"))
            let rows = try parseCSV(text)
            #expect(rows.count == 4)
            let header = rows[0]
            #expect(rows.allSatisfy { $0.count == header.count })
            func cell(_ row: Int, _ column: String) throws -> String {
                rows[row][try #require(header.firstIndex(of: column))]
            }
            #expect(rows.dropFirst().map { $0[0] } == ["1", "2", "3"])
            #expect(try cell(1, "trial_id") == "t1")
            #expect(try cell(1, "cell") == "lstm")
            #expect(try cell(1, "layers") == "1")
            #expect(try cell(1, "objective") == "last-step")
            #expect(try cell(1, "split") == "none")
            #expect(try cell(1, "train_loss") == "1.3781588373393039")
            #expect(try cell(1, "inference_seconds_per_1000_chars") == "0.3880350589752197")
            #expect(try cell(1, "parameters") == "148801")
            #expect(try cell(1, "worker_host") == "host1")
            #expect(try cell(1, "attempts") == "1")
            #expect(try cell(1, "status") == "done")
            #expect(try cell(1, "sample") == Self.awkwardSample)
            #expect(try cell(2, "cell") == "gru")
            #expect(try cell(2, "hidden_size") == "256")
            #expect(try cell(2, "status") == "running")
            #expect(try cell(2, "val_loss") == "")
            #expect(try cell(2, "sample") == "")
            #expect(try cell(3, "sequence_length") == "30")
            #expect(try cell(3, "fc_layers") == "3")
            #expect(try cell(3, "status") == "queued")
            #expect(try cell(3, "attempts") == "0")
            #expect(try cell(3, "epochs_run") == "")
        }
    }

    @Test func gridKeysComeInGridOrderWithoutRepeatingFixedColumns() throws {
        try withStore { store, _ in
            let flatConfig = #"{"cell":"rnn","layers":2,"hidden_size":64,"fc_layers":1,"objective":"every-step","#
                + #""sequence_length":50,"split":"tail","learning_rate":0.003,"batch_norm":true}"#
            try store.insertTrials([
                NewTrial(number: 1, trialID: "a", configJSON: flatConfig, grid: [
                    GridEntry(key: "learning_rate", value: "0.003"), GridEntry(key: "layers", value: "2"),
                    GridEntry(key: "batch_norm", value: "true"), GridEntry(key: "fc_hidden", value: "[128,64]"),
                ]),
            ])
            let rows = try parseCSV(try store.csv(.results))
            #expect(rows[0].joined(separator: ",")
                == "trial,trial_id,learning_rate,batch_norm,fc_hidden," + Self.fixedHeader)
            #expect(Array(rows[1].prefix(12))
                == ["1", "a", "0.003", "true", "[128,64]", "rnn", "2", "50", "64", "1", "every-step", "tail"])
        }
    }

    @Test func awkwardSampleRoundTripsThroughRFC4180Quoting() throws {
        try withStore { store, _ in
            try populate(store)
            let text = try store.csv(.results)
            // The sample is quoted, with its quotes doubled.
            #expect(text.contains("\"KING, said \"\"no\"\",\nand then\r\nleft, \"\"\"\"quoted\"\"\"\"\n\n  end\""))
            let rows = try parseCSV(text)
            #expect(rows[1].last == Self.awkwardSample)
            let seed = try parseCSV(try store.csv(.seed004))
            #expect(seed[1].last == Self.awkwardSample)
        }
    }

    @Test func cellsASpreadsheetWouldRunAsFormulasAreNeutralisedButNumbersAreNot() throws {
        try withStore { store, _ in
            try store.insertTrials([shakespeareTrial(1), shakespeareTrial(2, cell: "gru")])
            for (id, sample, host) in [("t1", "=HYPERLINK(\"http://x\",\"y\")", "@evil"), ("t2", "+1+cmd|' /C calc'!A0", "-host")] {
                try store.markRunning(trialID: id, workerID: "w", host: host, leaseExpiresAt: time(60))
                var result = doneResult(id, sample: sample)
                result.workerHost = host
                #expect(try store.recordResult(result) == .recorded)
            }
            let rows = try parseCSV(try store.csv(.results))
            let header = rows[0]
            func cell(_ row: Int, _ column: String) throws -> String { rows[row][try #require(header.firstIndex(of: column))] }
            #expect(try cell(1, "sample") == "'=HYPERLINK(\"http://x\",\"y\")")
            #expect(try cell(1, "worker_host") == "'@evil")
            #expect(try cell(2, "sample") == "'+1+cmd|' /C calc'!A0")
            #expect(try cell(2, "worker_host") == "'-host")
            // A negative number stays a number.
            #expect(try cell(1, "overfit_pct") == "-0.41")
        }
    }

    @Test func exportReplacesAtomicallyAndLeavesNoTemporaryFile() throws {
        try withStore { store, folder in
            let path = folder.file("results.csv")
            try "stale content\n".write(toFile: path, atomically: false, encoding: .utf8)
            try populate(store)
            try store.exportAll(to: folder.path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == (try store.csv(.results)))
            #expect(try folder.contents().filter { !$0.hasPrefix("sweep.db") } == ["curves.csv", "results.csv"])
        }
    }

    @Test func exportIntoAMissingFolderFailsWithThePath() throws {
        try withStore { store, folder in
            let path = folder.path + "/missing/results.csv"
            #expect {
                try store.export(.results, to: path)
            } throws: { error in
                guard case .exportFailed(let failedPath, _)? = error as? StoreError else { return false }
                return failedPath == path
            }
        }
    }

    @Test func curvesHaveOneRowPerTrialEpoch() throws {
        try withStore { store, _ in
            try populate(store)
            for (trial, epoch) in [("t2", 1), ("t1", 2), ("t1", 1)] {
                try store.recordEpoch(trialID: trial, attempt: 1, EpochMetrics(
                    epoch: epoch, trainLoss: 1.5, trainAccuracy: 0.375, valLoss: 1.25, valAccuracy: 0.5,
                    valPerplexity: 3.4903429574618414, seconds: 12.5, tokensPerSecond: 1000))
            }
            let rows = try parseCSV(try store.csv(.curves))
            #expect(rows == [
                ["trial", "trial_id", "epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "val_perplexity", "seconds"],
                ["1", "t1", "1", "1.5", "0.375", "1.25", "0.5", "3.4903429574618414", "12.5"],
                ["1", "t1", "2", "1.5", "0.375", "1.25", "0.5", "3.4903429574618414", "12.5"],
                ["2", "t2", "1", "1.5", "0.375", "1.25", "0.5", "3.4903429574618414", "12.5"],
            ])
        }
    }

    @Test func seed004HasTheOriginalHeaderAndValues() throws {
        try withStore { store, _ in
            try populate(store)
            let text = try store.csv(.seed004)
            let original = """
                Model,RNN Type,Sequence Length,Training Loss,Validation Loss,Validation Accuracy,Training time,\
                Inference Time,Hidden Size,Fully Connected Layers,Parameters,Size (MB),Predicted next character
                """
            #expect(text.hasPrefix(original + "\r\n"))
            let rows = try parseCSV(text)
            #expect(rows.count == 4)
            // The original file's first row, to the last digit.
            #expect(rows[1].prefix(12).joined(separator: ",") == """
                1,LSTM,20,1.3781588373393039,1.3724205528732634,0.5940240672635367,437.21747851371765,\
                0.3880350589752197,128,1,148801,0.5676307678222656
                """)
            #expect(rows[2].prefix(3) == ["2", "GRU", "20"])
            #expect(rows[2][3] == "")

            // Same header as the original file, when the data folder is available.
            if let dataDir = ProcessInfo.processInfo.environment["RNNSWEEP_DATA_DIR"],
               let originalText = try? String(contentsOfFile: dataDir + "/model_results_spear.csv", encoding: .utf8) {
                #expect(try parseCSV(originalText).first == rows[0])
            }
        }
    }
}
