import Foundation
import Logging
import SweepCore
import SweepProtocol
import SystemSupport
import ZeroMQTransport

/// The worker daemon: the calling thread is the I/O thread that owns the DEALER socket and
/// heartbeats every second, also while training; a separate thread runs the trainer. Results wait
/// in an on-disk outbox until acknowledged and are resent after every reconnect (SPEC.md, delivery).
/// The connection and the clock are injected: ZeroMQ and the monotonic clock in the daemon, an
/// in-memory network and a clock moved by hand in protocol tests.
public final class WorkerService {
    let options: WorkerOptions
    let trainer: TrialTrainer
    let logger: Logger
    let clock: any SweepClock
    let codec = Codec()
    let outbox: Outbox
    let datasets: DatasetResolver
    let shutdown: ShutdownSignal
    let parentWatch: ParentWatch?

    let connector: any DealerConnector
    var socket: (any MessageTransport)?
    var generation = 0
    var backoff = Backoff(initial: 1, maximum: 32, jitter: 0.5)
    var welcomed = false
    var lastOutboxResend = 0.0
    var lastHeard = 0.0
    /// When a message last came from the coordinator (or the worker started): `giveUpAfter`.
    var lastContact: Double?
    var lastSent = 0.0
    /// Messages not sent since the coordinator's queue filled up.
    var unsentWhileFull = 0

    /// The trial being trained, its mailbox and latest epoch.
    var running: (job: TrialJob, mailbox: RunnerMailbox, thread: Thread)?
    var runningEpoch = 0
    var batchThrottle = BatchProgressThrottle(interval: 0.5)
    /// An ASSIGN with the checkpoint it resumes from, not started yet.
    typealias Waiting = (assign: Assign, checkpoint: [UInt8]?)
    /// An assignment waiting for its dataset bytes.
    var parked: Waiting?
    /// When the parked assignment's DATASET_REQUEST last went out.
    var datasetRequestedAt = 0.0
    /// Assignments it holds while it trains (prefetch, SPEC.md §3.5), at most `options.prefetch`:
    /// the first starts when the running trial ends. Dropped on reconnecting, when the coordinator
    /// takes them back.
    var held: [Waiting] = []
    /// ASSIGNs received on this connection, quoted in READY.
    var assignsReceived = 0
    /// A THREADS for the parked assignment (by lease id), applied when it starts.
    var parkedThreads: (leaseID: String, request: ThreadRequest)?
    var exitCode: WorkerExit?
    /// When the READY still unanswered was sent, and how long READYs waited for their ASSIGN from
    /// the first trial to the last (logged at exit: a worker that rarely waits limits its sweep).
    var readySince: Double?
    var workWait = WaitShare()
    private let haltLock = NSLock()
    private var halted = false

    /// Stops the worker from another thread at once and without a goodbye, the way a crash or a
    /// frozen host looks to the coordinator (tests use it to lose a worker).
    public func halt() {
        haltLock.lock(); halted = true; haltLock.unlock()
    }

    private var isHalted: Bool { haltLock.lock(); defer { haltLock.unlock() }; return halted }

    /// A worker that connects to `options.endpoint` over ZeroMQ (with CURVE when given keys).
    public convenience init(options: WorkerOptions, trainer: TrialTrainer, logger: Logger) throws {
        var curve: ZeroMQDealerConnector.CurveKeys?
        if let server = options.serverPublicKey, let pub = options.clientPublicKey, let sec = options.clientSecretKey {
            curve = .init(serverPublicKey: server, publicKey: pub, secretKey: sec)
        }
        try self.init(options: options, trainer: trainer, logger: logger,
                      connector: ZeroMQDealerConnector(endpoint: options.endpoint, curve: curve), clock: MonotonicClock())
    }

    public init(options: WorkerOptions, trainer: TrialTrainer, logger: Logger, connector: any DealerConnector,
                clock: any SweepClock) throws {
        self.options = options
        self.connector = connector
        self.clock = clock
        self.trainer = trainer
        self.logger = logger
        self.outbox = try Outbox(directory: options.stateDirectory.appendingPathComponent("outbox"))
        self.datasets = DatasetResolver(cacheDirectory: options.datasetCache, allowDownload: false)
        // SIGHUP too: a worker in an ssh session (cluster/launch-ssh.sh) gets it when the session
        // ends, and then says BYE, so its trial is requeued at once instead of after the grace.
        self.shutdown = ShutdownSignal(signals: [.sigint, .sigterm, .sighup])
        self.parentWatch = options.parentPID.map(ParentWatch.init(parentPID:))
    }

    /// Runs until told to exit; returns the exit status.
    public func run() -> WorkerExit {
        parentWatch?.arm()
        while true {
            if let exit = step(waitingUpTo: 0.25) { return exit }
        }
    }

    /// One turn of the I/O loop: connect if the backoff allows, wait up to `timeout` seconds for a
    /// message, the trainer or a signal, handle what came, then heartbeats and timers. Returns the
    /// exit status once the worker has finished (tests drive the loop turn by turn).
    public func step(waitingUpTo timeout: Double) -> WorkerExit? {
        if isHalted {
            running?.mailbox.cancel()
            socket?.close()
            socket = nil
            connector.terminate()
            return .signalled
        }
        let now = clock.now()
        if lastContact == nil { lastContact = now }
        if socket == nil, backoff.mayRetry(at: now) { connect(now: now) }
        pollOnce(timeout: timeout)
        housekeeping(now: clock.now())
        guard exitCode != nil else { return nil }
        finish()
        return exitCode ?? .done
    }

    // MARK: Connection

    func connect(now: Double) {
        generation += 1
        let identity = Array("\(options.workerID)-\(generation)".utf8.prefix(255))
        do {
            socket = try connector.connect(identity: identity)
            welcomed = false
            if !held.isEmpty { logger.info("dropping \(held.count) held trials: the coordinator requeues them on reconnect") }
            held = []
            assignsReceived = 0
            lastHeard = now
            var hello = Hello(workerId: options.workerID, host: options.host, cores: options.cores, build: options.build,
                              cpus: options.cpus, prefetch: options.prefetch)
            if let version = options.protocolVersion { hello.protocolVersion = version }
            if let running {
                hello.running = RunningTrial(trialId: running.job.trialID, attempt: running.job.attempt,
                                             leaseId: running.job.leaseID, epoch: runningEpoch)
            }
            send(.hello(hello))
            logger.info("connecting to \(options.endpoint) as \(String(decoding: identity, as: UTF8.self))")
        } catch {
            logger.warning("cannot connect to \(options.endpoint): \(error)")
            disconnect(now: now)
        }
    }

    /// Drops the socket; the next connect waits for the backoff (1 s → 32 s, forever).
    func disconnect(now: Double) {
        socket?.close()
        socket = nil
        welcomed = false
        let delay = backoff.failed(at: now)
        logger.info("coordinator unreachable; reconnecting in \(Int(delay)) s")
    }

    func send(_ message: Message) {
        if case .ready = message, readySince == nil { readySince = clock.now() }
        sendFrames(codec.encode(message))
    }

    func sendFrames(_ frames: [[UInt8]]) {
        guard let socket else { return }
        do throws(TransportSendError) {
            try socket.send(frames)
            lastSent = clock.now()
            if unsentWhileFull > 0 {
                logger.warning("\(unsentWhileFull) messages were not sent while the coordinator's queue was full")
                unsentWhileFull = 0
            }
        } catch .wouldBlock {
            // Logged once per stretch: a coordinator that does not keep up must not flood our log too.
            if unsentWhileFull == 0 { logger.warning("the coordinator's queue is full (it is not keeping up); not sent") }
            unsentWhileFull += 1
        } catch {
            logger.warning("send failed: \(error)")
        }
    }

    // MARK: Loop

    func pollOnce(timeout: Double) {
        var descriptors = [shutdown.readFD]
        if let running { descriptors.append(running.mailbox.readFD) }
        var ready = Readiness(messages: false)
        if let socket {
            do { ready = try socket.wait(timeout: timeout, fileDescriptors: descriptors) } catch {
                logger.warning("poll failed: \(error)")
            }
        } else {
            ready.fileDescriptors = FileDescriptorWait.readable(descriptors, timeout: timeout)
        }
        if ready.fileDescriptors.contains(shutdown.readFD) { shutdown.drain() }
        if let running, ready.fileDescriptors.contains(running.mailbox.readFD) { deliverRunnerNotes() }
        if ready.messages, let socket {
            // Bounded before anything is copied: at most a header and one payload (a dataset or a
            // checkpoint) per message, whoever is at the other end.
            do {
                while let received = try socket.receive(maxParts: 4, maxBytes: codec.limits.maxHeaderBytes + codec.limits.maxPayloadBytes) {
                    switch received.frames {
                    case .message(let frames): handle(frames)
                    case .tooLarge(let parts, let bytes): logger.warning("dropped a message of \(parts) frames, \(bytes) bytes")
                    }
                    if self.socket == nil || exitCode != nil { break }
                }
            } catch {
                logger.warning("receiving from the coordinator failed: \(error); reconnecting")
                disconnect(now: clock.now())
            }
        }
    }

    func housekeeping(now: Double) {
        if shutdown.isRequested, exitCode == nil {
            logger.info("signal received; stopping")
            running?.mailbox.cancel()
            send(.bye(Bye(code: .shuttingDown, reason: "worker stopping on signal")))
            exitCode = .signalled
            return
        }
        if let parentWatch, parentWatch.parentIsGone {
            logger.info("parent process is gone; exiting")
            exitCode = .done
            return
        }
        if socket != nil {
            sendBatchProgress(now: now)
            if now - lastSent >= options.heartbeatInterval { send(.heartbeat) }
            if welcomed, let parked, now - datasetRequestedAt >= options.datasetRequestRetry {
                datasetRequestedAt = now
                send(.datasetRequest(DatasetRequest(sha256: parked.assign.dataset.sha256)))
            }
            if welcomed, now - lastOutboxResend >= options.outboxResendInterval {
                lastOutboxResend = now
                resendOutbox()
            }
            if now - lastHeard >= options.coordinatorSilenceLimit { disconnect(now: now) }
        }
        if options.exitWhenDone, let limit = options.giveUpAfter, running == nil, parked == nil, held.isEmpty,
           let lastContact, now - lastContact >= limit, exitCode == nil {
            logger.warning("no word from the coordinator for \(Int(now - lastContact)) s; it is gone or its sweep ended without this worker: exiting")
            exitCode = .coordinatorGone
        }
        if let running, now - running.mailbox.lastPulse > options.watchdogSeconds {
            let message = "trainer made no progress for \(Int(options.watchdogSeconds)) s (hung); worker restarts"
            logger.error("\(message)")
            queueResult(.failed(Failed(trialId: running.job.trialID, attempt: running.job.attempt,
                                       leaseId: running.job.leaseID, failureClass: .infra, message: message)),
                        trialID: running.job.trialID, attempt: running.job.attempt)
            exitCode = .hung
        }
    }

    /// The running epoch's progress, throttled (at most one per `batchProgressInterval`, only
    /// when the batch moved); only once greeted, since the coordinator drops it before WELCOME.
    func sendBatchProgress(now: Double) {
        guard welcomed, let running, let progress = running.mailbox.latestBatch,
              batchThrottle.admit(progress, reportedEpoch: runningEpoch, now: now) else { return }
        send(.batchProgress(BatchProgress(
            trialId: running.job.trialID, attempt: running.job.attempt, leaseId: running.job.leaseID,
            epoch: progress.epoch, batch: min(progress.batch, progress.batches), batches: max(1, progress.batches),
            tokens: min(progress.tokens, wireCountLimit), tokensPerSecond: progress.tokensPerSecond.isFinite ? max(0, progress.tokensPerSecond) : 0,
            threads: running.mailbox.threadsInUse)))
    }

    func finish() {
        if let summary = workWait.summary { logger.info("waiting for work between trials: \(summary)") }
        running?.mailbox.cancel()
        // A refused worker has no session to leave; a signalled one said BYE already.
        if exitCode != .refused, exitCode != .signalled { send(.bye(Bye(code: .shuttingDown, reason: "worker exiting"))) }
        socket?.close()
        socket = nil
        connector.terminate()
    }

    // MARK: Incoming

    func handle(_ frames: [[UInt8]]) {
        let message: Message
        do { message = try codec.decode(frames: frames) } catch {
            if case .unreadableConfig(let lease, _) = error {
                lastHeard = clock.now()
                assignsReceived += 1
                logger.error("\(error)")
                if running == nil, parked == nil {
                    fail(lease, .config, "trial config cannot be read: \(error)")
                } else {
                    // Busy: the trial fails here all the same, but the running one goes on.
                    queueResult(.failed(Failed(trialId: lease.trialId, attempt: lease.attempt, leaseId: lease.leaseId,
                                               failureClass: .config, message: "trial config cannot be read: \(error)")),
                                trialID: lease.trialId, attempt: lease.attempt)
                }
            } else {
                logger.warning("dropped a malformed message: \(error)")
            }
            return
        }
        lastHeard = clock.now()
        lastContact = lastHeard
        switch message {
        case .welcome:
            welcomed = true
            backoff.succeeded()
            lastOutboxResend = clock.now()
            resendOutbox()
            if running == nil, parked == nil { sendReady() }
        case .assign(let assign, let checkpoint):
            assignsReceived += 1
            let now = clock.now()
            if let readySince { workWait.waited(now - readySince) }
            workWait.begin(at: now)
            readySince = nil
            accept(assign, checkpoint: checkpoint)
        case .dataset(let header, let bytes):
            receiveDataset(header, bytes: bytes)
        case .resultAck(let ack):
            outbox.remove(trialID: ack.trialId, attempt: ack.attempt)
        case .stop(let stop):
            handleStop(stop)
        case .threads(let change):
            handleThreads(change)
        case .bye(let bye):
            logger.info("coordinator said goodbye: \(bye.code.rawValue) \(bye.reason ?? "")")
            switch bye.code {
            case .unknownWorker:
                // It lost track of this identity (restart, or we were silent past the grace): greet again.
                disconnect(now: clock.now())
            case .sweepComplete where options.exitWhenDone:
                logger.info("the sweep is complete; exiting")
                exitCode = .done
            case .sweepComplete, .shuttingDown:
                if options.parentPID != nil || options.exitOnBye { exitCode = .done } else { disconnect(now: clock.now()) }
            }
        case .refused(let refused):
            logger.critical("coordinator refused this worker: \(refused.reason)")
            FileHandle.standardError.write(Data("worker: refused by coordinator: \(refused.reason)\n".utf8))
            exitCode = .refused
        case .heartbeat:
            break
        default:
            logger.warning("unexpected \(message.command.rawValue) from the coordinator; dropped")
        }
    }

    /// STOP names a trial (and attempt): abandon it and its unacknowledged outbox entry. Without a
    /// trial it means everything: the running trial and a parked assignment.
    func handleStop(_ stop: Stop) {
        let text = "\(stop.code.rawValue)\(stop.reason.map { " (\($0))" } ?? "")"
        guard let trialID = stop.trialId else {
            if let running {
                logger.info("coordinator stopped all work: \(text)")
                running.mailbox.cancel()
            }
            parked = nil
            held = []
            return
        }
        if let running, running.job.trialID == trialID, stop.attempt == nil || stop.attempt == running.job.attempt {
            logger.info("coordinator stopped trial \(trialID) attempt \(running.job.attempt): \(text)")
            running.mailbox.cancel()
        }
        if let parked, parked.assign.trialId == trialID, stop.attempt == nil || stop.attempt == parked.assign.attempt {
            self.parked = nil
        }
        held.removeAll { $0.assign.trialId == trialID && (stop.attempt == nil || stop.attempt == $0.assign.attempt) }
        // The coordinator will never record that attempt: resending it would only be refused again.
        if stop.code != .shuttingDown, stop.code != .sweepComplete {
            if let attempt = stop.attempt { outbox.remove(trialID: trialID, attempt: attempt) } else { outbox.remove(trialID: trialID) }
        }
    }

    /// THREADS: the running (or parked) attempt it names trains with that many threads from its
    /// next batch; one for another attempt is stale and dropped.
    func handleThreads(_ change: ThreadChange) {
        let request = ThreadRequest(threads: change.threads, cpus: change.cpus)
        func names(_ trialID: String, _ attempt: Int, _ leaseID: String) -> Bool {
            trialID == change.trialId && attempt == change.attempt && leaseID == change.leaseId
        }
        if let running, names(running.job.trialID, running.job.attempt, running.job.leaseID) {
            logger.info("trial \(change.trialId): \(change.threads) threads\(change.cpus.isEmpty ? "" : " on cpus \(change.cpus)") from the next batch")
            running.mailbox.requestThreads(request)
        } else if let parked, names(parked.assign.trialId, parked.assign.attempt, parked.assign.leaseId) {
            parkedThreads = (change.leaseId, request)
        } else {
            logger.debug("THREADS for trial \(change.trialId) attempt \(change.attempt), which this worker does not run; dropped")
        }
    }

    func resendOutbox() {
        let pending = outbox.pending()
        for path in pending.unreadable { logger.warning("unreadable outbox file \(path) skipped") }
        for message in pending.messages {
            // An entry written by another protocol version would get this worker refused: drop it.
            guard (try? codec.decode(frames: message.frames)) != nil else {
                logger.warning("outbox entry of trial \(message.trialID) is not a valid RNS\(protocolVersion) message; dropped")
                outbox.remove(trialID: message.trialID)
                continue
            }
            logger.info("resending the unacknowledged result of trial \(message.trialID)")
            sendFrames(message.frames)
        }
    }

    // MARK: Trials

    func accept(_ assign: Assign, checkpoint: [UInt8]?) {
        if let busy = running?.job.trialID ?? parked?.assign.trialId {
            if held.count < options.prefetch {
                held.append((assign, checkpoint))
                logger.info("trial \(assign.trialId) attempt \(assign.attempt) held; it starts when \(busy) ends")
                return
            }
            logger.warning("ASSIGN of \(assign.trialId) while busy with \(busy); refusing it")
            send(.failed(Failed(trialId: assign.trialId, attempt: assign.attempt, leaseId: assign.leaseId,
                                failureClass: .infra, message: "worker was busy")))
            return
        }
        if datasets.localCopy(sha256: assign.dataset.sha256) == nil {
            parked = (assign, checkpoint)
            datasetRequestedAt = clock.now()
            send(.datasetRequest(DatasetRequest(sha256: assign.dataset.sha256)))
            return
        }
        start(assign, checkpoint: checkpoint)
    }

    func receiveDataset(_ header: DatasetTransfer, bytes: [UInt8]) {
        guard let parked, parked.assign.dataset.sha256 == header.sha256 else { return }
        do {
            _ = try datasets.cache.store(Data(bytes), sha256: header.sha256, name: parked.assign.dataset.name)
        } catch {
            logger.error("dataset \(header.sha256) rejected: \(error)")
            fail(parked.assign, .infra, "dataset transfer failed: \(error)", workerFault: StorageFault.isExhausted(error))
            self.parked = nil
            return
        }
        self.parked = nil
        start(parked.assign, checkpoint: parked.checkpoint)
    }

    /// `workerFault`: this worker's own storage failed (SPEC.md §6), so the trial is not charged.
    func fail(_ lease: some LeaseClaim, _ failureClass: FailureClass, _ message: String, workerFault: Bool = false) {
        queueResult(.failed(Failed(trialId: lease.trialId, attempt: lease.attempt, leaseId: lease.leaseId,
                                   failureClass: failureClass, message: message, workerFault: workerFault ? true : nil)),
                    trialID: lease.trialId, attempt: lease.attempt)
        startHeldOrReady()
    }

    /// The running trial ended: the held trial starts now; without one the worker asks for work.
    func startHeldOrReady() {
        guard exitCode == nil else { return }
        if !held.isEmpty {
            let next = held.removeFirst()
            accept(next.assign, checkpoint: next.checkpoint)
            return
        }
        if welcomed { sendReady() }
    }

    func sendReady() {
        send(.ready(Ready(assigned: assignsReceived)))
    }

    func start(_ assign: Assign, checkpoint: [UInt8]?) {
        guard let dataset = datasets.localCopy(sha256: assign.dataset.sha256) else {
            fail(assign, .infra, "dataset \(assign.dataset.sha256) is not available")
            return
        }
        let config = assign.config
        guard assign.trialId.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }), !assign.trialId.isEmpty else {
            fail(assign, .config, "trial id \(assign.trialId.debugDescription) is not a safe name")
            return
        }
        let scratch = options.stateDirectory.appendingPathComponent("trials").appendingPathComponent(assign.trialId)
        var resume: URL?
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            if let checkpoint {
                let url = scratch.appendingPathComponent("resume.safetensors")
                try Data(checkpoint).write(to: url, options: .atomic)
                resume = url
            }
        } catch {
            fail(assign, .infra, "cannot prepare \(scratch.path): \(error)", workerFault: StorageFault.isExhausted(error))
            return
        }
        let job = TrialJob(trialID: assign.trialId, trialNumber: assign.trialNumber, attempt: assign.attempt,
                           leaseID: assign.leaseId, seed: assign.seed, config: config, datasetFile: dataset.path, resumeFrom: resume, scratch: scratch)
        let mailbox = RunnerMailbox(trialID: job.trialID, attempt: job.attempt, clock: { [clock] in clock.now() })
        let trainer = self.trainer
        let thread = Thread {
            // Linux nice values are per thread: the trainer yields to the I/O thread, so heartbeats
            // keep flowing when the host is overloaded.
            CurrentThread.lowerPriority(by: 5)
            // Set from inside the thread: Foundation's `Thread.name` set before `start()` left the
            // kernel name `worker` here. `top -H` and tools/cpu-account find the trainer by it.
            CurrentThread.setName("trial-runner")
            let end = trainer.run(job, events: mailbox)
            mailbox.post(.ended(trialID: job.trialID, attempt: job.attempt, end))
        }
        thread.stackSize = 16 << 20
        running = (job, mailbox, thread)
        if let pending = parkedThreads, pending.leaseID == job.leaseID { mailbox.requestThreads(pending.request) }
        parkedThreads = nil
        batchThrottle = BatchProgressThrottle(interval: max(0.5, options.batchProgressInterval))
        runningEpoch = assign.resumeCheckpoint?.epoch ?? 0
        let from = resume != nil ? " from epoch \(runningEpoch)" : ""
        logger.info("trial \(job.trialID) attempt \(job.attempt) started\(from)")
        thread.start()
    }

    func deliverRunnerNotes() {
        guard let running else { return }
        let leaseID = running.job.leaseID
        for note in running.mailbox.take() {
            switch note {
            case .epoch(let trialID, let attempt, let r):
                runningEpoch = r.epoch
                send(.progress(ProgressReport(trialId: trialID, attempt: attempt, leaseId: leaseID, metrics: r,
                                              threads: running.mailbox.threadsInUse)))
            case .checkpoint(let trialID, let attempt, let epoch, let bytes, let isBest):
                let digest = SHA256Hex.digest(bytes)
                send(.checkpoint(CheckpointUpload(trialId: trialID, attempt: attempt, leaseId: leaseID, epoch: epoch,
                                                  sha256: digest, isBest: isBest, bytes: bytes.count), bytes: bytes))
            case .ended(let trialID, let attempt, let end):
                self.running = nil
                finished(trialID: trialID, attempt: attempt, leaseID: leaseID, end: end)
            }
        }
    }

    func finished(trialID: String, attempt: Int, leaseID: String, end: TrialEnd) {
        workWait.end(at: clock.now())
        func failed(_ failureClass: FailureClass, _ message: String, workerFault: Bool = false) {
            queueResult(.failed(Failed(trialId: trialID, attempt: attempt, leaseId: leaseID, failureClass: failureClass,
                                       message: message, workerFault: workerFault ? true : nil)), trialID: trialID, attempt: attempt)
        }
        switch end {
        case .completed(let metrics):
            queueResult(.result(TrialResult(trialId: trialID, attempt: attempt, leaseId: leaseID, status: .completed,
                                            result: metrics)), trialID: trialID, attempt: attempt)
            logger.info("trial \(trialID) done")
        case .diverged(let message, let partial):
            var metrics = partial ?? ResultMetrics(epochsRun: 0)
            metrics.message = message
            queueResult(.result(TrialResult(trialId: trialID, attempt: attempt, leaseId: leaseID, status: .diverged,
                                            result: metrics)), trialID: trialID, attempt: attempt)
            logger.info("trial \(trialID) diverged: \(message)")
        case .configError(let message):
            failed(.config, message)
        case .infra(let message, let workerFault):
            failed(.infra, message, workerFault: workerFault)
        case .cancelled:
            logger.info("trial \(trialID) stopped")
        }
        startHeldOrReady()
    }

    /// Writes the message to the outbox first, then sends it; it is resent until acknowledged.
    func queueResult(_ message: Message, trialID: String, attempt: Int) {
        let frames = codec.encode(message)
        do { try outbox.put(trialID: trialID, attempt: attempt, frames: frames) } catch {
            logger.error("outbox write failed (the result is sent once, unprotected): \(error)")
        }
        sendFrames(frames)
    }
}
