import ArgumentParser
import CharRNN
import Foundation

/// Training throughput of the real trainer (forward + backward + Adam) on `--threads` threads, per config,
/// in the output format of tools/reference/torch_bench.py so tools/bench-compare can pair them.
/// Each config runs in a child process so its peak RSS is its own.
struct TrainBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Trainer throughput on the 12 reference configs {LSTM, GRU} x H {128,256,512} x L {20,50} (and every-step at H=256).",
        discussion: BenchConfig.flopFormula)

    @Option(help: "Comma-separated CELL-HIDDEN-SEQLEN[-every], e.g. lstm-128-20,gru-256-50-every (default: the 12 last-step configs and every-step at H=256).")
    var configs: String?

    @Option(help: "Timed seconds per config.")
    var seconds: Double = 3

    @Option(help: "Warm-up seconds per config (at least 3 steps).")
    var warmup: Double = 1

    @Option(help: "Threads each training step is split over (results are the same at every count).")
    var threads: Int = 1

    @Option(help: "Sequences per batch.")
    var batch = BenchConfig.defaultBatch

    @Option(help: "How a recurrence may be split over the threads: automatic (by sequences, or by hidden units when each thread would get few sequences, as trials do), sequences (never by units) or units (wherever the units fall on whole panels); the last two compare the ways.")
    var recurrenceSplit: RecurrenceSplit = .automatic

    @Flag(help: "Print a JSON list instead of a table.")
    var json = false

    @Option(help: .hidden)
    var child: String?

    func validate() throws {
        guard seconds > 0, warmup >= 0 else { throw ValidationError("--seconds must be > 0 and --warmup >= 0") }
        guard (1...65_536).contains(batch) else { throw ValidationError("--batch must be in 1...65536, got \(batch)") }
        guard (1...ThreadPool.maximumSize).contains(threads) else {
            throw ValidationError("--threads must be in 1...\(ThreadPool.maximumSize), got \(threads)")
        }
    }

    func run() throws {
        if let child {
            let result = try TrainRun(config: BenchConfig(parsing: child), threads: threads, recurrenceSplit: recurrenceSplit, batch: batch).measure(seconds: seconds, warmup: warmup)
            print(result.jsonObject)
            return
        }
        let selected = try configs.map { try $0.split(separator: ",").map { try BenchConfig(parsing: String($0)) } }
            ?? BenchConfig.lastStepGrid + BenchConfig.everyStepH256
        if !json {
            print("bench: \(threads) thread\(threads == 1 ? "" : "s"), batch \(batch), V \(BenchConfig.vocab), Adam, \(seconds) s per config after \(warmup) s warm-up; load average \(loadAverage()) on \(ProcessInfo.processInfo.activeProcessorCount) CPUs")
            print(BenchConfig.flopFormula + "; GFLOP/s = steps/s x that / 1e9")
            print("cell  objective      H   L   windows/s    steps/s  GFLOP/s  RSS MB   CPU (share of the core while timed)")
        }
        var results: [String] = []
        for config in selected {
            let line = try runChild(config)
            results.append(line)
            if !json, let row = TrainResult(json: line) { print(row.tableRow); flushOutput() }
        }
        if json {
            print("[\n" + results.map { " " + $0 }.joined(separator: ",\n") + "\n]")
        } else {
            print("load average at the end \(loadAverage()) (a busy machine slows every number)")
        }
    }

    /// Runs one config in a fresh process (this executable, hidden --child) and returns its JSON line.
    func runChild(_ config: BenchConfig) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        if !FileManager.default.fileExists(atPath: "/proc/self/exe") {
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        }
        process.arguments = ["train", "--child", config.description, "--seconds", "\(seconds)", "--warmup", "\(warmup)",
                             "--threads", "\(threads)", "--batch", "\(batch)", "--recurrence-split", recurrenceSplit.rawValue]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let line = text.split(separator: "\n").last else {
            throw ValidationError("bench: config \(config) failed (exit \(process.terminationStatus)): \(text)")
        }
        return String(line)
    }

    func loadAverage() -> String {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) > 0 ? String(format: "%.2f", loads[0]) : "unknown"
    }
}

extension RecurrenceSplit: ExpressibleByArgument {}
