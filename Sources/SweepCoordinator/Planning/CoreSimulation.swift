import SweepProtocol

/// Runs the real `Scheduler` (and its `CoreAllocator`) against simulated workers: one host of
/// `cores` one-core workers, trials that need given one-thread seconds, and a thread-scaling
/// curve. Time is simulated, so a 54-trial grid on 64 cores takes milliseconds. Used by
/// `coordinator simulate` to estimate what elastic cores and pausing at the tail do to a sweep's
/// makespan. Every pseudo-epoch ends with a stored checkpoint, where a trial may be paused.
public struct CoreSimulation: Sendable {
    public struct Outcome: Sendable, Equatable {
        /// Seconds from the first assignment to the last result.
        public var makespan: Double
        /// Sum of the trials' one-thread seconds ÷ cores: no schedule can beat it.
        public var lowerBound: Double
        /// The most threads any trial trained with, and THREADS commands sent.
        public var mostThreads: Int
        public var commands: Int
        /// The most threads the host ran at once (never above `cores`).
        public var peakThreads: Int
        /// Trials paused at the tail (each resumed later where it stopped).
        public var pauses = 0
    }

    /// Trials' one-thread training seconds, in schedule order.
    public var trialSeconds: [Double]
    /// Speed with n threads relative to one (speedup(1) = 1).
    public var speedup: @Sendable (Int) -> Double
    /// Seconds from a THREADS command to the next batch boundary, where it applies.
    public var applyDelay: Double

    public init(trialSeconds: [Double], applyDelay: Double = 0, speedup: @escaping @Sendable (Int) -> Double) {
        self.trialSeconds = trialSeconds
        self.applyDelay = applyDelay
        self.speedup = speedup
    }

    /// Amdahl's law through a measured two-thread speedup `s2` (1 ≤ s2 ≤ 2): the parallel fraction
    /// p = 2(1 − 1/s2), and n threads run 1 / ((1 − p) + p/n) times as fast as one.
    public static func amdahl(twoThreads s2: Double) -> @Sendable (Int) -> Double {
        let p = min(1, max(0, 2 * (1 - 1 / s2)))
        return { n in 1 / ((1 - p) + p / Double(max(1, n))) }
    }

    private struct Running {
        var trialID: String
        var attempt: Int
        var worker: WorkerID
        var remaining: Double
        var total: Double
        var threads = 1
        var pending: (threads: Int, at: Double)?
        var epochsReported = 0
    }

    /// Pseudo-epochs per trial: progress the scheduler hears, so "more work left first" means something.
    static let epochs = 10

    public func run(cores: Int, elastic: Bool, pausing: Bool = false) -> Outcome {
        var policy = SchedulerPolicy(lostAfter: 1e12, quarantineAfterInfraFailures: Int.max, adoptionWindow: 0)
        policy.progressMinimum = 1e12
        policy.firstEpochMinimum = 1e12
        policy.elasticCores = elastic
        policy.pausing = pausing
        let trials = trialSeconds.enumerated().map {
            ScheduledTrial(number: $0.offset + 1, id: "t\($0.offset + 1)", maxAttempts: 1, epochs: Self.epochs,
                           estimatedCost: $0.element, threads: 1)
        }
        var scheduler = Scheduler(trials: trials, policy: policy, now: 0)
        let seconds = Dictionary(uniqueKeysWithValues: trials.map { ($0.id, trialSeconds[$0.number - 1]) })
        var running: [String: Running] = [:]
        var paused: [String: Running] = [:]
        var now = 0.0
        var outcome = Outcome(makespan: 0, lowerBound: trialSeconds.reduce(0, +) / Double(max(1, cores)),
                              mostThreads: 1, commands: 0, peakThreads: 0)

        func route(_ events: [SchedulerEvent]) {
            for event in events {
                switch event {
                case .assign(let a):
                    let total = seconds[a.trialID] ?? 0
                    var started = Running(trialID: a.trialID, attempt: a.attempt, worker: a.worker, remaining: total, total: total)
                    if let left = paused.removeValue(forKey: a.trialID) {
                        started.remaining = left.remaining
                        started.epochsReported = left.epochsReported
                    }
                    running[a.trialID] = started
                case .paused(let trialID, _, _, _):
                    // The worker stops at once and says READY.
                    guard var stopped = running.removeValue(forKey: trialID) else { break }
                    outcome.pauses += 1
                    stopped.threads = 1
                    stopped.pending = nil
                    paused[trialID] = stopped
                    route(scheduler.ready(stopped.worker, now: now))
                case .threads(let c):
                    outcome.commands += 1
                    running[c.trialID]?.pending = (c.threads, now + applyDelay)
                default: break
                }
            }
        }
        let workers = (0..<max(1, cores)).map { WorkerID("w\($0)") }
        for (i, w) in workers.enumerated() {
            route(scheduler.hello(w, name: "p\(i)", host: "sim", cores: 1, cpus: [i], running: nil, now: 0))
        }
        for w in workers { route(scheduler.ready(w, now: 0)) }

        while !running.isEmpty {
            // The next thing to happen: a trial ends, crosses a pseudo-epoch, or applies a change.
            var step = Double.infinity
            for r in running.values {
                let rate = speedup(r.threads)
                step = min(step, r.remaining / rate)
                let nextEpochLeft = r.total * Double(Self.epochs - r.epochsReported - 1) / Double(Self.epochs)
                if r.remaining > nextEpochLeft { step = min(step, (r.remaining - nextEpochLeft) / rate) }
                if let p = r.pending { step = min(step, max(0, p.at - now)) }
            }
            now += step
            for id in running.keys.sorted() {
                guard var r = running[id] else { continue }
                r.remaining = max(0, r.remaining - step * speedup(r.threads))
                if r.remaining <= 1e-9 * max(1, r.total) {
                    running[id] = nil
                    route(scheduler.resultCommitted(trialID: id, attempt: r.attempt, outcome: .done, from: r.worker, now: now))
                    route(scheduler.ready(r.worker, now: now))
                    continue
                }
                while r.epochsReported < Self.epochs - 1,
                      r.remaining <= r.total * Double(Self.epochs - r.epochsReported - 1) / Double(Self.epochs) + 1e-9 * r.total {
                    r.epochsReported += 1
                    running[id] = r
                    let epoch = r.epochsReported, epochSeconds = r.total / Double(Self.epochs) / speedup(r.threads)
                    scheduler.progressReported(trialID: id, attempt: r.attempt, epochSeconds: epochSeconds, now: now)
                    route(scheduler.epochReported(trialID: id, attempt: r.attempt, epoch: epoch, valLoss: 1,
                                                  seconds: epochSeconds, now: now))
                    if scheduler.checkpointStored(trialID: id, attempt: r.attempt, worker: r.worker,
                                                  ref: StoredCheckpoint(epoch: epoch, path: "\(id)/\(epoch)", sha256: "")) {
                        route(scheduler.checkpointReady(trialID: id, attempt: r.attempt, epoch: epoch, now: now))
                    }
                    guard let still = running[id], still.attempt == r.attempt else { break }
                    r = still
                }
                guard running[id]?.attempt == r.attempt else { continue }
                if let p = r.pending, p.at <= now {
                    r.threads = p.threads
                    r.pending = nil
                    outcome.mostThreads = max(outcome.mostThreads, r.threads)
                    running[id] = r
                    route(scheduler.threadsReported(trialID: id, attempt: r.attempt, threads: r.threads, now: now))
                    r = running[id] ?? r
                }
                running[id] = r
            }
            outcome.peakThreads = max(outcome.peakThreads, running.values.reduce(0) { $0 + $1.threads })
        }
        outcome.makespan = now
        return outcome
    }
}
