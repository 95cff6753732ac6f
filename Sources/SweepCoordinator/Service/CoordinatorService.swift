import Foundation
import Logging
import SweepCore
import SweepProtocol
import SweepStore
import ZeroMQ
import ZeroMQTransport

/// The coordinator: one thread owns the ROUTER socket and runs a poll loop that feeds the
/// scheduler, records everything in the store, and answers workers (SPEC.md, docs/run-folder.md). The transport
/// and the clock are injected: a ZeroMQ ROUTER (`bind()`) and the monotonic clock in the daemon,
/// an in-memory router (`attach`) and a clock moved by hand in protocol tests.
public final class CoordinatorService {
    let setup: RunSetup
    let options: CoordinatorOptions
    let logger: Logger
    let progress: ProgressView
    let shutdown: ShutdownSignal
    let clock: any SweepClock
    let codec: Codec
    var scheduler: Scheduler
    /// Batch progress and last signs of life, for the live view and sweep.db.
    var ledger = LivenessLedger()
    /// Speeds for trials not started (rebuilt from sweep.db when results change).
    var speeds: SpeedBook?

    let context: Context
    var socket: (any MessageTransport)!
    var zap: ZAPHandler?
    /// Whether peers are authenticated (CURVE): then every message carries its connection's key,
    /// and worker ids and identities are bound to keys.
    var authenticatesPeers = false
    var cpuAtStart: ProcessCPU?
    /// The loop's waits for messages or stored checkpoints from the first assignment to the last
    /// result (logged at the end: a loop that rarely waits sets the sweep's pace).
    var loopWait = WaitShare()
    /// The endpoint actually bound (an ephemeral port resolved).
    public private(set) var endpoint = ""

    /// Socket identity bytes by worker, and per-worker details the scheduler does not keep.
    var identities: [WorkerID: [UInt8]] = [:]
    var workerProcessIDs: [String: WorkerID] = [:]
    var liveness: [WorkerID: PeerLiveness] = [:]
    var currentEpoch: [WorkerID: Int] = [:]
    /// The thread count each trial's holder last reported, by trial (elastic cores).
    var reportedThreads: [String: (attempt: Int, threads: Int)] = [:]
    let trialsByID: [String: Trial]
    /// Each trial's parameter count as sweep.db had it at start (a result row's `parameters`).
    let parameters: [String: Int?]
    let coordinatorID = "coordinator-\(ProcessInfo.processInfo.hostName)-\(getpid())"
    var lastTick = 0.0
    /// Checks checkpoints before a resume (built on first use).
    var inspector: CheckpointInspector?
    /// Checks and writes uploaded checkpoints off the loop (built on first use).
    var storer: CheckpointStorer?
    /// Messages of workers whose checkpoint is being stored, in arrival order.
    var heldBack: [WorkerID: [HeldMessage]] = [:]
    var datasetTextRead: String?
    var rejectedCheckpoints = 0
    var oversizedMessages = 0
    /// sweep.db writes queued for the next commit, and the batch the writer commits now.
    var storeWrites = StoreWriteQueue()
    /// Commits the queued writes off the loop (started with the first batch).
    var storeWriter: StoreWriter?
    var eventsNotRecorded = 0
    /// Set when sweep.db stayed unwritable too long: the run stops and says why.
    public internal(set) var storeStopReason: String?
    /// Identity, magic, command, header and payload (SPEC.md §1).
    static let maxFrames = 5
    /// A whole message: the largest payload plus a header.
    var maxMessageBytes: Int {
        let payload = Int(clamping: options.maxMessageBytes)
        return payload > Int.max - (5 << 20) ? Int.max : payload + (4 << 20)
    }
    /// Exits of this coordinator's own worker processes, posted by the supervisor.
    public let localWorkerExits = LocalWorkerExits()
    /// Events and the live view's line from a launcher of remote workers (SLURM), if any.
    public let jobReports = JobReports()
    /// HELLO `worker_id`s of local processes known dead: a HELLO still queued from one is ignored.
    var exitedLocalWorkers: Set<String> = []
    /// Epochs or results arrived since results.csv was last written; they change the report too.
    var resultsDirty = false {
        didSet { if resultsDirty { reportDirty = true } }
    }
    /// Messages dropped (malformed, or reports the sender may not make), and the peers already
    /// logged: each peer is logged once, then only counted.
    var droppedMessages = 0
    var droppedPeers: Set<String> = []
    /// Which CURVE key owns each worker_id and socket identity.
    var keyBindings = KeyBindings()
    /// Epochs or results arrived since report.html was last written.
    var reportDirty = false
    /// Live rewrites of the exports and the report, spaced so their cost per trial stays flat.
    var exportSchedule: RewriteSchedule
    var reportSchedule: RewriteSchedule
    /// results.csv and curves.csv while the sweep runs: rewritten from the trials that changed.
    let liveExports: LiveExports
    /// Runs the live rewrites off the loop.
    let rewriter: LiveRewriter
    /// Times results.csv and curves.csv were written (start, live, end), and report.html.
    public var exportsWritten: Int { exportSchedule.count }
    public var reportsWritten: Int { reportSchedule.count }
    /// Per-peer bounds (dataset sends, refusal records) and CURVE refusals counted off-thread.
    var peerGuards = PeerGuards()
    let curveRefusals = CurveRefusals()

    public init(setup: RunSetup, options: CoordinatorOptions, logger: Logger, progress: ProgressView,
                shutdown: ShutdownSignal, clock: any SweepClock = MonotonicClock()) throws {
        self.setup = setup
        self.clock = clock
        self.options = options
        self.logger = logger
        self.progress = progress
        self.shutdown = shutdown
        self.exportSchedule = RewriteSchedule(interval: options.exportInterval)
        self.reportSchedule = RewriteSchedule(interval: options.reportInterval)
        self.liveExports = setup.store.liveExports()
        self.rewriter = LiveRewriter(clock: clock)
        self.codec = Codec(limits: .init(maxHeaderBytes: 4 << 20, maxPayloadBytes: Int(options.maxMessageBytes)))
        self.trialsByID = Dictionary(uniqueKeysWithValues: setup.trials.map { ($0.id, $0) })
        let records = try setup.store.allTrials()
        let costs = Dictionary(records.map { ($0.trialID, $0.estimatedCost) }, uniquingKeysWith: { first, _ in first })
        self.parameters = Dictionary(records.map { ($0.trialID, $0.parameters) }, uniquingKeysWith: { first, _ in first })
        let scheduled = setup.trials.map {
            ScheduledTrial(number: $0.number, id: $0.id, maxAttempts: $0.config.training.maxAttempts,
                           epochs: $0.config.training.epochs, estimatedCost: costs[$0.id] ?? nil,
                           threads: $0.config.training.threads)
        }
        self.scheduler = Scheduler(trials: scheduled, restored: setup.restored, policy: options.policy, now: clock.now(),
                                   stopping: EarlyStoppingRules.make(setup.sweep.earlyStopping),
                                   budget: setup.sweep.earlyStopping?.budget)
        self.context = try Context()
        seedEpochTimes()
    }

    /// Binds the ROUTER (with CURVE unless the endpoint is local-only) and returns the endpoint.
    public func bind() throws -> String {
        let requested = try options.listen ?? setup.folder.privateEndpoint()
        var socketOptions: [SocketOption] = [
            .routerMandatory(true), .linger(milliseconds: 1000), .maxMessageSize(options.maxMessageBytes),
            .sendHighWaterMark(10_000), .receiveHighWaterMark(10_000),
        ]
        // Keys are required off loopback, and used wherever they are given.
        if !EndpointScope.isLocal(requested) || options.curveSecretKeyFile != nil {
            guard let secretFile = options.curveSecretKeyFile, let allowFile = options.allowedWorkerKeysFile else {
                throw RunSetupError("""
                    listening on \(requested) (not loopback) requires CURVE: pass --curve-secret-key FILE and \
                    --allow-workers FILE (create them with `coordinator keygen`)
                    """)
            }
            let keys = try CurveKeyFiles.readKeyPair(secretFile)
            let allowed = try CurveKeyFiles.readAllowList(allowFile)
            zap = try ZAPHandler(context: context, allowedClientKeys: allowed) { [logger, curveRefusals] decision in
                // A refused key that keeps retrying is counted, not logged each time.
                if !decision.admitted, curveRefusals.note(key: decision.clientKey) {
                    logger.warning("refused worker at \(decision.address): public key \(decision.clientKey) is not on the allow-list; further refusals of this key are only counted")
                }
            }
            socketOptions += [.zapDomain("rnnsweep"), .curveServer(secretKey: keys.secretKey)]
        }
        let router = try Socket(context, .router, options: socketOptions)
        try router.bind(requested)
        endpoint = try router.lastEndpoint()
        attach(ZeroMQSocketTransport(socket: router, readsUserID: zap != nil), endpoint: endpoint, authenticatesPeers: zap != nil)
        return endpoint
    }

    /// Serves over `transport` (a router end) instead of binding a socket. `authenticatesPeers`:
    /// its messages carry the sender's authenticated key, which then owns worker ids and identities.
    public func attach(_ transport: any MessageTransport, endpoint: String, authenticatesPeers: Bool = false) {
        socket = transport
        self.endpoint = endpoint
        self.authenticatesPeers = authenticatesPeers
    }

    deinit { storeWriter?.close() }

    /// Runs until every trial is finished or shutdown is requested. Returns true when complete.
    public func run() throws -> Bool {
        start()
        while try step(waitingUpTo: 0.2) {}
        return stop()
    }

    /// Records the start and writes the first results; call once, before `step`.
    public func start() {
        cpuAtStart = ProcessCPU.now(wall: clock.now())
        recordEvent("start", "coordinator listening on \(endpoint); \(scheduler.counts.finished)/\(scheduler.counts.total) trials already finished")
        for repair in setup.repairs {
            // Already in the store's event log (RunSetup recorded it); here for the operator.
            logger.warning("sweep.db repaired: \(repair)")
            progress.log("sweep.db repaired: \(repair)")
        }
        // Before the first step's completion check: a promotion makes a finished-looking sweep live.
        let now = clock.now()
        apply(scheduler.resumeEarlyStopping(now: now), now: now)
        exportResults()
        flushStoreWrites()
    }

    /// One turn of the loop: waits up to `timeout` seconds for messages or a signal, handles them,
    /// then the timers. Returns false once the run should end (complete, shutdown, or the store
    /// gave up); then call `stop()`.
    public func step(waitingUpTo timeout: Double) throws -> Bool {
        if scheduler.isComplete, storeIsWritable {
            // Complete once its last results are on disk, not only in the scheduler.
            flushStoreWrites()
            if storeIsWritable { return false }
        }
        if shutdown.isRequested || storeStopReason != nil { return false }
        let waitStart = clock.now()
        let ready = try socket.wait(timeout: storeFlushWait(now: waitStart, upTo: timeout),
                                    fileDescriptors: [shutdown.readFD] + (storeWriter.map { [$0.readFD] } ?? [])
                                        + (storer.map { [$0.readFD] } ?? []))
        loopWait.waited(clock.now() - waitStart)
        if ready.fileDescriptors.contains(shutdown.readFD) { shutdown.drain() }
        if ready.messages {
            // Drain what is queued, but keep heartbeats flowing under load: bounded in count and
            // in time, as one message (a checkpoint to store and inspect) can take tens of ms.
            var handled = 0
            let drainUntil = clock.now() + options.policy.heartbeatInterval / 2
            // Bounded before anything is copied: a peer's flood of frames costs it, not us.
            while handled < 1000, handled == 0 || clock.now() < drainUntil,
                  let received = try socket.receive(maxParts: Self.maxFrames, maxBytes: maxMessageBytes) {
                switch received.frames {
                case .message(let frames): handle(frames: frames, key: received.peerKey)
                case .tooLarge(let parts, let bytes): noteOversized(parts: parts, bytes: bytes)
                }
                handled += 1
            }
        }
        let now = clock.now()
        takeCommittedWrites()
        takeStoredCheckpoints(now: now)
        retryStoreWrites(now: now)
        handleLocalWorkerExits(now: now)
        recordJobReports()
        if now - lastTick >= options.policy.heartbeatInterval {
            lastTick = now
            heartbeat(now: now)
            apply(scheduler.tick(now: now), now: now)
            writeLiveness(now: now)
            rewriteWhenDue(now: now)
            drawProgress()
        }
        // Queued writes go to the writer once due; a turn woken only by a commit found no new work.
        let idle = !ready.messages && ready.fileDescriptors.allSatisfy { $0 == storeWriter?.readFD }
        flushStoreWritesIfDue(now: clock.now(), idle: idle)
        return true
    }

    /// Ends the run: STOP and BYE to every worker, final exports, the socket closed. Returns
    /// whether the sweep is complete.
    public func stop() -> Bool {
        closeCheckpointStorer()
        recordJobReports()
        let complete = scheduler.isComplete && storeIsWritable
        finish(complete: complete)
        if let storeStopReason {
            logger.critical("\(storeStopReason)")
            progress.log(storeStopReason)
        }
        if let cpuAtStart {
            let loop = loopWait.summary.map { "; the loop \($0) for messages or stored checkpoints from the first assignment to the last result" } ?? ""
            recordEvent("cpu", ProcessCPU.now(wall: clock.now()).summary(since: cpuAtStart) + "; \(setup.store.commits) sweep.db commits" + loop)
        }
        flushStoreWrites()
        storeWriter?.close()
        storeWriter = nil
        return complete
    }

    /// Stops assigning, tells every worker STOP (if busy) and BYE, commits, closes the socket.
    func finish(complete: Bool) {
        // Results still queued are acknowledged before the workers hear BYE.
        flushStoreWrites()
        // A live rewrite under way writes the same files as the final ones.
        rewriter.waitUntilIdle()
        takeFinishedRewrites()
        scheduler.beginDrain()
        let reason = complete ? "sweep complete" : "coordinator shutting down"
        for entry in scheduler.workerEntries {
            for trialID in (entry.trialID.map { [$0] } ?? []) + entry.heldTrialIDs {
                let attempt = attemptOf(trialID)
                send(.stop(Stop(trialId: trialID, attempt: attempt, code: complete ? .sweepComplete : .shuttingDown)), to: entry.id)
                if let attempt {
                    persist("closing attempt \(attempt) of trial \(trialID)") { tx in
                        try tx.endAttempt(trialID: trialID, attempt: attempt, outcome: "interrupted", message: reason)
                    }
                }
                persist("requeueing trial \(trialID)") { tx in try tx.requeue(trialID: trialID) }
            }
            send(.bye(Bye(code: complete ? .sweepComplete : .shuttingDown)), to: entry.id)
        }
        recordPeerGuardTotals()
        if droppedMessages > 0 {
            recordEvent("dropped", "\(droppedMessages) messages dropped from \(droppedPeers.count) peers in this run")
        }
        // The report shows the rows just exported: the table is read once for both.
        writeFinalReport(results: exportResults(live: false))
        let c = scheduler.counts
        recordEvent(complete ? "complete" : "stopped",
                    "\(reason): \(c.done) done, \(c.diverged) diverged, \(c.configError) config errors, \(c.failed) failed, " +
                    "\(c.stopped) stopped, \(c.queued + c.running) unfinished")
        socket.close()
        zap?.stop()
        context.terminate()
    }

    func attemptOf(_ trialID: String) -> Int? {
        if case .running(_, let attempt)? = scheduler.state(of: trialID)?.phase { return attempt }
        return nil
    }

    // MARK: Sending

    func send(_ message: Message, to worker: WorkerID) {
        guard let identity = identities[worker] else { return }
        send(message, identity: identity)
        liveness[worker]?.sent(at: clock.now())
    }

    func send(_ message: Message, identity: [UInt8]) {
        send(codec.encode(message, to: identity), command: message.command, identity: identity)
    }

    /// ASSIGN with the config the run encoded once for the trial spliced in, not encoded again.
    func send(_ assign: Assign, checkpoint: [UInt8]?, to worker: WorkerID) {
        guard let configJSON = setup.configJSON[assign.trialId] else {
            return send(.assign(assign, checkpoint: checkpoint), to: worker)
        }
        guard let identity = identities[worker] else { return }
        send(codec.encode(assign, configJSON: configJSON, checkpoint: checkpoint, to: identity), command: .assign, identity: identity)
        liveness[worker]?.sent(at: clock.now())
    }

    private func send(_ frames: [[UInt8]], command: Command, identity: [UInt8]) {
        do throws(TransportSendError) {
            try socket.send(frames)
        } catch .unreachable {
            logger.debug("worker \(Hex.string(identity)) is gone; \(command.rawValue) dropped")
        } catch .wouldBlock {
            // That peer does not read what it is sent (its queue is full); it is its loss, not ours.
            logger.debug("worker \(Hex.string(identity)) is not reading; \(command.rawValue) dropped")
        } catch {
            logger.warning("sending \(command.rawValue) failed: \(error)")
        }
    }

    func heartbeat(now: Double) {
        for (worker, state) in liveness where state.heartbeatDue(at: now) {
            send(.heartbeat, to: worker)
        }
    }

    // MARK: Outputs

    func recordEvent(_ kind: String, _ message: String, trial: String? = nil, worker: WorkerID? = nil) {
        // The event log is a record for people, not state: while the store fails, events are
        // counted and shown, not queued.
        if storeIsWritable {
            // Queued: it commits with the next write of this turn, or at its end.
            persist("recording an event") { tx in
                try tx.appendEvent(kind: kind, message: message, trialID: trial, workerID: worker?.rawValue)
            }
        } else {
            eventsNotRecorded += 1
        }
        if !progress.isTerminal || kind != "progress" { progress.log(message) }
    }

    /// Rewrites results.csv and curves.csv: while the sweep runs (`live`) from the trials that changed
    /// since the last write, at its end from every trial in the store. Returns the results table
    /// the end wrote (nil while live, or if the write failed).
    @discardableResult
    func exportResults(live: Bool = true) -> ExportTable? {
        flushStoreWrites()
        let started = clock.now()
        do {
            var written: ExportTable?
            if live {
                try liveExports.write(to: setup.folder.root.path)
            } else {
                written = try setup.store.exportAll(to: setup.folder.root.path)
            }
            resultsDirty = false
            reportDirty = true
            exportSchedule.wrote(from: started, to: clock.now())
            return written
        } catch {
            logger.error("writing results.csv failed: \(error)")
            return nil
        }
    }

    /// Starts the live rewrite that is due, if none is under way: the exports after results or
    /// epochs arrived, then the report they make stale. Both read only what is committed, so the
    /// queued writes commit first.
    func rewriteWhenDue(now: Double) {
        takeFinishedRewrites()
        guard !rewriter.isBusy else { return }
        if resultsDirty && exportSchedule.isDue(at: now) {
            resultsDirty = false
            let exports = liveExports, folder = setup.folder.root.path
            startRewrite(.exports, of: "results.csv") { try exports.write(to: folder) }
        } else if reportDirty && reportSchedule.isDue(at: now) {
            reportDirty = false
            let setup = setup
            startRewrite(.report, of: "report.html") { try setup.writeReport(live: true, results: nil) }
        }
    }

    /// Commits the queued writes (a rewrite reads only what is committed), then runs `write` on the
    /// rewriter's thread; a failure is logged naming `file`.
    private func startRewrite(_ kind: LiveRewriter.Kind, of file: String, _ write: @escaping @Sendable () throws -> Void) {
        flushStoreWrites()
        let logger = logger
        rewriter.start(kind) {
            do { try write() } catch {
                logger.error("writing \(file) failed: \(error)")
                return false
            }
            return true
        }
    }

    /// Books the rewrites that ended: their schedules learn how long they took; one that failed
    /// is due again (and fresh exports make the report stale).
    func takeFinishedRewrites() {
        for rewrite in rewriter.takeFinished() {
            switch (rewrite.kind, rewrite.written) {
            case (.exports, true):
                exportSchedule.wrote(from: rewrite.started, to: rewrite.ended)
                reportDirty = true
            case (.exports, false): resultsDirty = true
            case (.report, true): reportSchedule.wrote(from: rewrite.started, to: rewrite.ended)
            case (.report, false): reportDirty = true
            }
        }
    }

    /// The run's final report.html. `results`: the results table just exported, if nothing has
    /// been written since.
    func writeFinalReport(results: ExportTable?) {
        flushStoreWrites()
        let started = clock.now()
        do {
            try setup.writeReport(live: false, results: results)
            reportDirty = false
            reportSchedule.wrote(from: started, to: clock.now())
        } catch {
            logger.error("writing report.html failed: \(error)")
        }
    }

    func drawProgress() {
        guard progress.isTerminal else { return }
        let speeds = speedBook()
        let wallNow = Date()
        var remaining: [Double?] = []
        var longest: Double?
        var lines: [ProgressSnapshot.WorkerLine] = []
        for entry in scheduler.workerEntries {
            var line = ProgressSnapshot.WorkerLine(worker: Self.shortName(entry.id.rawValue, host: entry.host), host: entry.host,
                                                   trial: entry.trialID, epoch: nil, epochs: nil,
                                                   suspect: entry.suspect, quarantined: entry.quarantined)
            line.lending = entry.trialID == nil && scheduler.isLending(entry.id)
            if let trialID = entry.trialID, let trial = trialsByID[trialID] {
                if let reported = reportedThreads[trialID], case .running(_, reported.attempt)? = scheduler.state(of: trialID)?.phase {
                    line.threads = reported.threads
                }
                let epochs = max(1, trial.config.training.epochs)
                let finished = min(currentEpoch[entry.id] ?? 0, epochs)
                line.epochs = epochs
                line.epoch = min(finished + 1, epochs)
                if let p = liveProgress(of: trialID), p.epoch > finished {
                    line.epoch = p.epoch
                    line.batch = p.batch
                    line.batches = p.batches
                    line.tokensPerSecond = p.tokensPerSecond
                    line.etaSeconds = ProgressEstimate.runningSeconds(
                        epoch: p.epoch, epochs: epochs, batch: p.batch, batches: p.batches, tokens: p.tokens,
                        tokensPerSecond: p.tokensPerSecond).map { max(0, $0 - max(0, wallNow.timeIntervalSince(p.updatedAt))) }
                } else {
                    line.etaSeconds = plannedSeconds(trialID, speeds: speeds, fractionDone: Double(finished) / Double(epochs))
                }
                if let eta = line.etaSeconds { longest = max(longest ?? 0, eta) }
                remaining.append(line.etaSeconds)
            }
            lines.append(line)
        }
        for id in scheduler.trials.keys {
            guard let state = scheduler.trials[id],
                  state.phase == .queued || { if case .orphaned = state.phase { true } else { false } }() else { continue }
            let epochs = Double(max(1, trialsByID[id]?.config.training.epochs ?? 1))
            remaining.append(plannedSeconds(id, speeds: speeds, fractionDone: Double(state.latestCheckpoint?.epoch ?? 0) / epochs))
        }
        let workers = max(1, scheduler.workerEntries.filter { !$0.quarantined }.count)
        var snapshot = ProgressSnapshot(sweep: setup.sweep.name, counts: scheduler.counts, workers: lines,
                                        etaSeconds: ProgressEstimate.sweepSeconds(trials: remaining, longestRunning: longest,
                                                                                  workers: workers))
        snapshot.job = jobReports.line
        progress.draw(snapshot)
    }

    /// The plan's estimate for a trial not running yet (or without batch progress).
    func plannedSeconds(_ trialID: String, speeds: SpeedBook, fractionDone: Double) -> Double? {
        guard let trial = trialsByID[trialID],
              let speed = speeds.gflops(model: trial.config.model, training: trial.config.training) else { return nil }
        return ProgressEstimate.plannedSeconds(estimatedCost: scheduler.state(of: trialID)?.trial.estimatedCost,
                                               gflops: speed.gflops, fractionDone: fractionDone, overhead: speeds.overheadSeconds)
    }

    /// Speeds measured in this run (finished trials from sweep.db, running ones from their
    /// progress), with this machine's calibration as the fallback. Read from sweep.db once; each
    /// result then adds its own (`noteSpeed`), so the view's cost does not grow with the results.
    func speedBook() -> SpeedBook {
        var book: SpeedBook
        if let speeds { book = speeds } else {
            book = SpeedBook(calibration: SpeedCalibration(points: CalibrationCache().load()),
                             concurrent: max(1, scheduler.workerEntries.count))
            for result in readStore("result summaries", { try setup.store.resultSummaries() }) ?? [] { add(result, to: &book) }
            speeds = book
        }
        // Running trials' speeds count too, but only for this drawing: they change every second.
        for entry in scheduler.workerEntries {
            guard let trialID = entry.trialID, let trial = trialsByID[trialID], let p = liveProgress(of: trialID),
                  let gflops = ProgressEstimate.runningGFLOPS(
                    estimatedCost: scheduler.state(of: trialID)?.trial.estimatedCost, epochs: trial.config.training.epochs,
                    batch: p.batch, batches: p.batches, tokens: p.tokens, tokensPerSecond: p.tokensPerSecond) else { continue }
            book.add(model: trial.config.model, training: trial.config.training, gflops: gflops)
        }
        return book
    }
}

extension CoordinatorService {
    /// A result was committed: its speed joins the book, if the book was read already (else the
    /// first read finds it in sweep.db).
    func noteSpeed(ofResult trialID: String) {
        guard var book = speeds else { return }
        guard let summary = readStore("the result summary of trial \(trialID)", { try setup.store.resultSummary(trialID: trialID) }) ?? nil else {
            speeds = nil
            return
        }
        add(summary, to: &book)
        speeds = book
    }

    private func add(_ result: ResultSummary, to book: inout SpeedBook) {
        guard let trial = trialsByID[result.trialID], let flops = result.trainingFLOPs,
              let seconds = result.trainingSeconds, seconds > 0 else { return }
        book.add(model: trial.config.model, training: trial.config.training, gflops: flops / seconds / 1e9)
        if let wall = result.wallSeconds { book.addTrial(wallSeconds: wall, trainingSeconds: seconds) }
    }

    /// A worker id without its host prefix (the progress view shows the host separately).
    static func shortName(_ id: String, host: String) -> String {
        id.hasPrefix(host + "-") ? String(id.dropFirst(host.count + 1)) : id
    }
}

/// Lower-case hex of identity bytes (worker ids in logs and the store).
enum Hex {
    static func string(_ bytes: [UInt8]) -> String {
        let printable = bytes.allSatisfy { (0x21...0x7e).contains($0) && $0 != UInt8(ascii: "\\") }
        if printable { return String(decoding: bytes, as: UTF8.self) }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}
