import Foundation
import SweepStore

/// A fresh folder under the system temp dir, removed by `cleanUp()`.
struct TemporaryFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("SweepStoreTests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    var databasePath: String { path + "/sweep.db" }

    func file(_ name: String) -> String { path + "/" + name }

    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs `body` with a store on a new database file, then removes the folder.
func withStore(_ body: (SweepStore, TemporaryFolder) throws -> Void) throws {
    let folder = try TemporaryFolder()
    defer { folder.cleanUp() }
    let store = try SweepStore(path: folder.databasePath)
    try body(store, folder)
}

/// Whole seconds, so dates round-trip exactly through SQLite's millisecond text format.
func time(_ seconds: Int) -> Date {
    Date(timeIntervalSince1970: 1_700_000_000 + TimeInterval(seconds))
}

/// A trial of the Shakespeare grid shape (sequence_length outermost, then cell, hidden, fc).
func shakespeareTrial(_ number: Int, id: String? = nil, cell: String = "lstm", sequenceLength: Int = 20,
                      hidden: Int = 128, fc: Int = 1, cost: Double? = nil) -> NewTrial {
    let config = """
        {"model":{"cell":"\(cell)","layers":1,"hidden_size":\(hidden),"fc_layers":\(fc),"input":"embedding",\
        "head_activation":"after-first","batch_norm":false},\
        "training":{"objective":"last-step","sequence_length":\(sequenceLength),"epochs":10,"learning_rate":0.001},\
        "split":{"kind":"none","fraction":0.1}}
        """
    return NewTrial(
        number: number, trialID: id ?? "t\(number)", configJSON: config,
        grid: [
            GridEntry(key: "sequence_length", value: String(sequenceLength)),
            GridEntry(key: "cell", value: cell),
            GridEntry(key: "hidden_size", value: String(hidden)),
            GridEntry(key: "fc_layers", value: String(fc)),
        ],
        estimatedCost: cost, parameters: 148_801)
}

func doneResult(_ trialID: String, attempt: Int = 1, valLoss: Double = 1.3724205528732634,
                sample: String = "ROMEO: hi") -> TrialResult {
    TrialResult(
        trialID: trialID, attempt: attempt, workerID: "w\(attempt)", workerHost: "host\(attempt)", status: .done,
        epochsRun: 10, bestEpoch: 9, trainLoss: 1.3781588373393039, valLoss: valLoss, valAccuracy: 0.5940240672635367,
        valPerplexity: 3.9447, overfitPct: -0.41, trainingSeconds: 437.21747851371765,
        inferenceSecondsPer1000: 0.3880350589752197, msPerChar: 0.388, parameters: 148_801,
        sizeMB: 0.5676307678222656, macsPerChar: 148_000, trainingFlops: 1.5e15, tokensPerSecond: 12_345.5,
        sample: sample, resultJSON: #"{"attempt":\#(attempt)}"#)
}

/// A strict RFC 4180 reader (CRLF or LF records, quoted fields may hold commas, quotes, newlines).
/// Written independently of the exporter so the round-trip test checks real quoting.
func parseCSV(_ text: String) throws -> [[String]] {
    struct Malformed: Error { let offset: Int }
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var inQuotes = false
    var fieldWasQuoted = false
    let scalars = Array(text.unicodeScalars)
    var i = 0
    while i < scalars.count {
        let c = scalars[i]
        if inQuotes {
            if c == "\"" {
                if i + 1 < scalars.count && scalars[i + 1] == "\"" {
                    field.unicodeScalars.append("\"")
                    i += 1
                } else {
                    inQuotes = false
                }
            } else {
                field.unicodeScalars.append(c)
            }
        } else {
            switch c {
            case "\"":
                guard field.isEmpty && !fieldWasQuoted else { throw Malformed(offset: i) }
                inQuotes = true
                fieldWasQuoted = true
            case ",":
                record.append(field)
                field = ""
                fieldWasQuoted = false
            case "\r":
                guard i + 1 < scalars.count, scalars[i + 1] == "\n" else { throw Malformed(offset: i) }
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
                fieldWasQuoted = false
            default:
                guard !fieldWasQuoted else { throw Malformed(offset: i) }
                field.unicodeScalars.append(c)
            }
        }
        i += 1
    }
    guard !inQuotes else { throw Malformed(offset: i) }
    if !field.isEmpty || !record.isEmpty {
        record.append(field)
        records.append(record)
    }
    return records
}
