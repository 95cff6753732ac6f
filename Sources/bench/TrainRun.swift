import CharRNN
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds one benchmark model and times full training steps on random windows, exactly the loop of
/// the trainer: reset state (last-step) → forward → zero gradients → loss → backward → Adam.
struct TrainRun {
    let config: BenchConfig
    /// Threads each step is split over (a pool made once, before timing).
    var threads = 1
    var recurrenceSplit = RecurrenceSplit.automatic
    var batch = BenchConfig.defaultBatch

    func measure(seconds: Double, warmup: Double) throws -> TrainResult {
        let b = batch, l = config.seqLen, v = BenchConfig.vocab
        let model = try CharRNNModel(
            config: ModelConfig(vocabSize: v, cell: config.cell, hiddenSize: config.hidden, fcLayers: config.fcLayers),
            maxBatch: b, maxSteps: l,
            objective: config.objective)
        var rng = SeededGenerator(seed: 42)
        model.initializeParameters(rng: &rng)
        let optimizer = Adam(learningRate: 1e-3, count: model.store.count)

        // Eight fixed batches of random tokens, as torch_bench.py: throughput does not depend on text.
        let batches = 8
        let targetsPerBatch = config.objective == .lastStep ? b : b * l
        let tokens = UnsafeMutablePointer<Int32>.allocate(capacity: batches * b * l)
        let targets = UnsafeMutablePointer<Int32>.allocate(capacity: batches * targetsPerBatch)
        defer { tokens.deallocate(); targets.deallocate() }
        for i in 0..<(batches * b * l) { tokens[i] = Int32.random(in: 0..<Int32(v), using: &rng) }
        for i in 0..<(batches * targetsPerBatch) { targets[i] = Int32.random(in: 0..<Int32(v), using: &rng) }

        var lossSum = 0.0
        func step(_ i: Int) {
            let k = i % batches
            if config.objective == .lastStep || i == 0 { model.resetState(batch: b) }
            model.forward(tokens: tokens + k * b * l, batch: b, steps: l, objective: config.objective,
                          training: true, rng: &rng)
            model.store.zeroGradients()
            lossSum += model.loss(targets: targets + k * targetsPerBatch, computeGradient: true).lossSum
            model.backward()
            optimizer.update(model.store)
            if config.objective == .everyStep { model.carryState() }
        }

        let pool = threads > 1 ? ThreadPool(size: threads, recurrenceSplit: recurrenceSplit) : nil
        return try ThreadPool.withCurrent(pool) { try timeSteps(step, seconds: seconds, warmup: warmup, lossSum: { lossSum }) }
    }

    private func timeSteps(_ step: (Int) -> Void, seconds: Double, warmup: Double, lossSum: () -> Double) throws -> TrainResult {
        let b = batch, l = config.seqLen
        var i = 0
        let warmStart = now()
        while i < 3 || now() - warmStart < warmup { step(i); i += 1 }
        var n = 0
        let start = now(), cpuStart = threadCPUTime()
        var elapsed = 0.0
        repeat { step(n); n += 1; elapsed = now() - start } while elapsed < seconds
        let cpuShare = (threadCPUTime() - cpuStart) / elapsed
        guard lossSum().isFinite else { throw TrainBenchError.diverged(config.description) }

        let windows = Double(n * b) / elapsed
        let steps = windows * Double(l)
        return TrainResult(cell: config.cell.rawValue, hidden: config.hidden, seqLen: l,
                           objective: config.objective.rawValue, windowsPerSecond: windows, stepsPerSecond: steps,
                           gflops: steps * config.flopsPerSampleStep / 1e9, peakRSSMB: peakRSSMiB(), cpuShare: cpuShare)
    }
}

enum TrainBenchError: Error, CustomStringConvertible {
    case diverged(String)
    var description: String {
        switch self { case .diverged(let c): "bench: \(c): training loss became non-finite" }
    }
}

/// One row of output; JSON keys match tools/reference/torch_bench.py (plus objective, tokens_per_s).
struct TrainResult {
    let cell: String, hidden: Int, seqLen: Int, objective: String
    let windowsPerSecond: Double, stepsPerSecond: Double, gflops: Double, peakRSSMB: Double
    /// Thread CPU seconds per wall second while timing: below ~0.95 the core was shared.
    let cpuShare: Double

    var jsonObject: String {
        "{\"cell\": \"\(cell)\", \"hidden\": \(hidden), \"seq_len\": \(seqLen), \"objective\": \"\(objective)\", "
            + "\"windows_per_s\": \(round1(windowsPerSecond)), \"steps_per_s\": \(round1(stepsPerSecond)), "
            + "\"tokens_per_s\": \(round1(stepsPerSecond)), \"gflops\": \(round2(gflops)), \"peak_rss_mb\": \(round1(peakRSSMB)), \"cpu_share\": \(round2(cpuShare))}"
    }

    init(cell: String, hidden: Int, seqLen: Int, objective: String, windowsPerSecond: Double, stepsPerSecond: Double,
         gflops: Double, peakRSSMB: Double, cpuShare: Double) {
        self.cell = cell; self.hidden = hidden; self.seqLen = seqLen; self.objective = objective
        self.windowsPerSecond = windowsPerSecond; self.stepsPerSecond = stepsPerSecond
        self.gflops = gflops; self.peakRSSMB = peakRSSMB; self.cpuShare = cpuShare
    }

    /// Parses a child's JSON line (our own fixed format).
    init?(json line: String) {
        func field(_ key: String) -> String? {
            guard let range = line.range(of: "\"\(key)\": ") else { return nil }
            let rest = line[range.upperBound...]
            let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
            return rest[..<end].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        }
        guard let cell = field("cell"), let h = field("hidden").flatMap(Int.init), let l = field("seq_len").flatMap(Int.init),
              let objective = field("objective"), let w = field("windows_per_s").flatMap(Double.init),
              let s = field("steps_per_s").flatMap(Double.init), let g = field("gflops").flatMap(Double.init),
              let r = field("peak_rss_mb").flatMap(Double.init), let share = field("cpu_share").flatMap(Double.init)
        else { return nil }
        self.init(cell: cell, hidden: h, seqLen: l, objective: objective, windowsPerSecond: w, stepsPerSecond: s,
                  gflops: g, peakRSSMB: r, cpuShare: share)
    }

    var tableRow: String {
        cell.rightPad(5) + " " + objective.rightPad(10) + String(hidden).leftPad(6) + String(seqLen).leftPad(4)
            + grouped(windowsPerSecond).leftPad(12) + grouped(stepsPerSecond).leftPad(11)
            + fmt(gflops).leftPad(9) + String(Int(peakRSSMB.rounded())).leftPad(8) + fmt(cpuShare * 100).leftPad(6) + "%"
    }
}

func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }

/// 12345.6 → "12,346".
func grouped(_ x: Double) -> String {
    let digits = String(Int(x.rounded()))
    var out = ""
    for (i, c) in digits.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return String(out.reversed())
}
