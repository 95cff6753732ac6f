import Foundation
import SweepCore
import SweepStore

/// A sweep's progress as `coordinator status` shows it (text, or `--json`: docs/status.md): counts,
/// ETA, each running trial with its worker, epoch, progress inside the epoch, speed and ETA, the
/// five best trials so far, and each worker's last sign of life.
public struct SweepProgress: Sendable, Equatable, Codable {
    public struct Counts: Sendable, Equatable, Codable {
        public var total = 0, done = 0, running = 0, queued = 0, diverged = 0, configError = 0, failed = 0, stopped = 0
    }

    public struct RunningTrial: Sendable, Equatable, Codable {
        public var number: Int
        public var trialID: String
        public var attempt: Int
        public var workerID: String?
        public var host: String?
        /// The epoch being trained (1-based), and the trial's epochs.
        public var epoch: Int
        public var epochs: Int
        /// Batches finished in this epoch, of `batches` (nil before the first BATCH_PROGRESS).
        public var batch: Int?
        public var batches: Int?
        /// The trial's training done so far, 0…1.
        public var fraction: Double?
        public var tokensPerSecond: Double?
        public var etaSeconds: Double?
        /// When its progress was last recorded.
        public var progressAt: Date?
        /// Threads its worker last reported training with (elastic cores); nil before it said.
        public var threads: Int?
    }

    public struct GridValue: Sendable, Equatable, Codable {
        public var key: String
        public var value: String
    }

    public struct BestTrial: Sendable, Equatable, Codable {
        public var rank: Int
        public var number: Int
        public var trialID: String
        public var grid: [GridValue]
        public var valLoss: Double
        public var valAccuracy: Double?
        public var parameters: Int?
        public var trainingSeconds: Double?
    }

    public struct Worker: Sendable, Equatable, Codable {
        public var workerID: String
        public var host: String
        /// The trial it is running, if any.
        public var trialID: String?
        public var lastSeen: Date
        public var secondsSinceSeen: Double
        public var quarantined: Bool
    }

    public var sweep: String
    public var generatedAt: Date
    public var counts: Counts
    /// Seconds until every trial should be finished, when it can be estimated.
    public var etaSeconds: Double?
    /// Where the speed for trials not started came from (`SpeedBook.Source`), nil when none is known.
    public var speedSource: String?
    public var running: [RunningTrial]
    public var best: [BestTrial]
    public var workers: [Worker]

    /// How many best trials are listed.
    public static let bestCount = 5

    /// Reads everything from `store` (which a running coordinator updates at most once a second).
    /// `calibration`: this machine's cached speeds, the fallback for shapes this run has not measured.
    public static func load(from store: SweepStore, sweep: String, now: Date = Date(),
                            calibration: SpeedCalibration = SpeedCalibration(points: [])) throws -> SweepProgress {
        let trials = try store.allTrials()
        let results = try store.resultSummaries()
        let progress = Dictionary(try store.runningProgress().map { ($0.trialID, $0) }, uniquingKeysWith: { a, _ in a })
        let summary = try store.statusSummary()
        let workers = try store.allWorkers()
        let configs = Dictionary(trials.compactMap { t in TrialConfigDecoding.decode(t.configJSON).map { (t.trialID, $0) } },
                                 uniquingKeysWith: { a, _ in a })
        let byID = Dictionary(trials.map { ($0.trialID, $0) }, uniquingKeysWith: { a, _ in a })

        var counts = Counts()
        for trial in trials {
            counts.total += 1
            switch trial.status {
            case .done: counts.done += 1
            case .running: counts.running += 1
            case .queued: counts.queued += 1
            case .diverged: counts.diverged += 1
            case .configError: counts.configError += 1
            case .failed: counts.failed += 1
            case .stopped: counts.stopped += 1
            }
        }

        // Speeds this run measured: finished trials (training FLOPs ÷ training seconds) and running ones.
        let busyWorkers = Set(summary.running.compactMap(\.workerID)).count
        var speeds = SpeedBook(calibration: calibration, concurrent: max(1, busyWorkers))
        for result in results {
            guard let config = configs[result.trialID], let flops = result.trainingFLOPs, let seconds = result.trainingSeconds,
                  seconds > 0 else { continue }
            speeds.add(model: config.model, training: config.training, gflops: flops / seconds / 1e9)
            if let wall = result.wallSeconds { speeds.addTrial(wallSeconds: wall, trainingSeconds: seconds) }
        }
        for p in progress.values {
            guard let config = configs[p.trialID], let gflops = ProgressEstimate.runningGFLOPS(
                estimatedCost: byID[p.trialID]?.estimatedCost, epochs: config.training.epochs, batch: p.batch,
                batches: p.batches, tokens: p.tokens, tokensPerSecond: p.tokensPerSecond) else { continue }
            speeds.add(model: config.model, training: config.training, gflops: gflops)
        }

        var running: [RunningTrial] = []
        var remaining: [Double?] = []
        var longest: Double?
        var sources = Set<SpeedBook.Source>()
        func planned(_ trial: TrialRecord, fractionDone: Double) -> Double? {
            guard let config = configs[trial.trialID], let speed = speeds.gflops(model: config.model, training: config.training)
            else { return nil }
            sources.insert(speed.source)
            return ProgressEstimate.plannedSeconds(estimatedCost: trial.estimatedCost, gflops: speed.gflops,
                                                   fractionDone: fractionDone, overhead: speeds.overheadSeconds)
        }
        for r in summary.running {
            let epochs = max(1, configs[r.trialID]?.training.epochs ?? r.plannedEpochs ?? 1)
            let finished = min(r.lastEpoch ?? 0, epochs)
            var line = RunningTrial(number: r.number, trialID: r.trialID, attempt: r.attempt, workerID: r.workerID, host: r.host,
                                    epoch: min(finished + 1, epochs), epochs: epochs)
            if let p = progress[r.trialID], p.epoch <= epochs, p.epoch > finished {
                line.epoch = p.epoch
                line.batch = p.batch
                line.batches = p.batches
                line.tokensPerSecond = p.tokensPerSecond
                line.progressAt = p.updatedAt
                line.threads = p.threads
                line.fraction = ProgressEstimate.fraction(epoch: p.epoch, epochs: epochs, batch: p.batch, batches: p.batches)
                line.etaSeconds = ProgressEstimate.runningSeconds(epoch: p.epoch, epochs: epochs, batch: p.batch,
                                                                  batches: p.batches, tokens: p.tokens,
                                                                  tokensPerSecond: p.tokensPerSecond)
                    .map { max(0, $0 - max(0, now.timeIntervalSince(p.updatedAt))) }
            } else {
                line.fraction = Double(finished) / Double(epochs)
                if let trial = byID[r.trialID] { line.etaSeconds = planned(trial, fractionDone: Double(finished) / Double(epochs)) }
            }
            if let eta = line.etaSeconds { longest = max(longest ?? 0, eta) }
            remaining.append(line.etaSeconds)
            running.append(line)
        }
        let epochCounts = try store.epochCounts()
        for trial in trials where trial.status == .queued {
            let finished = Double(epochCounts[trial.trialID] ?? 0)
            let epochs = Double(max(1, configs[trial.trialID]?.training.epochs ?? 1))
            remaining.append(planned(trial, fractionDone: finished / epochs))
        }
        let activeWorkers = max(1, workers.filter { !$0.quarantined && now.timeIntervalSince($0.lastSeen) < 60 }.count, busyWorkers)

        let bestResults = results.filter { $0.status == .done && $0.valLoss != nil }
            .sorted { ($0.valLoss ?? 0, byID[$0.trialID]?.number ?? 0) < ($1.valLoss ?? 0, byID[$1.trialID]?.number ?? 0) }
            .prefix(bestCount)
        let best = bestResults.enumerated().map { index, r in
            BestTrial(rank: index + 1, number: byID[r.trialID]?.number ?? 0, trialID: r.trialID,
                      grid: (byID[r.trialID]?.grid ?? []).map { GridValue(key: $0.key, value: $0.value) },
                      valLoss: r.valLoss ?? .nan, valAccuracy: r.valAccuracy, parameters: r.parameters,
                      trainingSeconds: r.trainingSeconds)
        }
        let runningByWorker = Dictionary(summary.running.compactMap { r in r.workerID.map { ($0, r.trialID) } },
                                         uniquingKeysWith: { a, _ in a })
        let workerLines = workers.map { w in
            Worker(workerID: w.workerID, host: w.host, trialID: runningByWorker[w.workerID], lastSeen: w.lastSeen,
                   secondsSinceSeen: max(0, now.timeIntervalSince(w.lastSeen)), quarantined: w.quarantined)
        }
        let source = [SpeedBook.Source.measuredSameShape, .calibrated, .measuredOtherShapes]
            .filter(sources.contains).map(\.rawValue).joined(separator: "+")
        return SweepProgress(
            sweep: sweep, generatedAt: now, counts: counts,
            etaSeconds: ProgressEstimate.sweepSeconds(trials: remaining, longestRunning: longest, workers: activeWorkers),
            speedSource: source.isEmpty ? nil : source, running: running, best: Array(best), workers: workerLines)
    }
}

/// A stored trial's config JSON, read back; nil if it does not decode (a damaged row is skipped).
enum TrialConfigDecoding {
    static func decode(_ json: String) -> TrialConfig? {
        try? JSONDecoder().decode(TrialConfig.self, from: Data(json.utf8))
    }
}
