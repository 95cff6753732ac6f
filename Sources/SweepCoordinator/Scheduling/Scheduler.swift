import SweepProtocol
import SweepCore

/// The coordinator's scheduling brain as a pure state machine: a trial queue in schedule order,
/// leases, the worker table with liveness, retries and quarantine, and first-result-wins delivery.
/// No sockets, no clock: every call carries `now` (monotonic seconds) and returns the events its
/// owner must act on (send ASSIGN/STOP, log). Not thread-safe; one thread owns it.
public struct Scheduler: Sendable {
    public let policy: SchedulerPolicy
    public internal(set) var trials = TrialTable()
    /// Queued trial ids, front first. Requeued trials go to the front so they finish soon.
    var queue = TrialQueue()
    var workers = WorkerTable()
    /// Once draining (SIGINT/SIGTERM), nothing new is assigned.
    public private(set) var draining = false
    /// While the store cannot be written, nothing new is assigned (an assignment must be recorded
    /// before it is sent); set by the owner, which calls `dispatch` when it clears it.
    public var holding = false
    /// Makes the id of each new lease; random unless a test fixes it.
    private let newLeaseID: @Sendable () -> String
    /// Progress watchdog state (Scheduler+Progress.swift).
    var progressWatches: [String: ProgressWatch] = [:]
    var longestEpochSeconds: [String: Double] = [:]
    /// Pausing at the tail (Scheduler+Pausing.swift): each trial's last epoch, and the seconds and
    /// estimated FLOPs of every epoch reported, the speed that prices trials yet to run.
    var lastEpochSeconds: [String: Double] = [:]
    var observedEpochSeconds = 0.0
    var observedEpochFLOPs = 0.0
    /// Early stopping and budget state (Scheduler+EarlyStopping.swift).
    var stopping: (any EarlyStoppingRule)?
    public let budget: EarlyStopping.Budget?
    public internal(set) var spentEpochs = 0
    public internal(set) var spentSeconds = 0.0
    public internal(set) var budgetSpent = false
    /// Rung decisions waiting for their epoch's checkpoint, by trial.
    var awaitingCheckpoint: [String: PendingDecision] = [:]
    /// The last epoch each trial's current attempt reported.
    var reachedEpoch: [String: Int] = [:]
    /// Whether `tick` has acted on the rung decisions restored from a previous run.
    var restoredDecisionsSettled = false
    /// Trials `tick` examined for an expired lease (`trialsExamined`).
    private var leaseChecks = 0
    /// Elastic cores: idle workers' cores lent to running trials on their host (Scheduler+Cores.swift).
    var cores: CoreAllocator

    /// Restored attempt counts above this are treated as corrupt (the run folder validates first;
    /// this keeps `attemptsStarted + 1` from ever overflowing).
    public static let attemptCeiling = 1 << 30

    /// Per-trial bookkeeping.
    public struct TrialState: Sendable, Equatable {
        public let trial: ScheduledTrial
        public var phase: TrialPhase
        /// Highest attempt number handed out (attempts are numbered from 1).
        public var attemptsStarted: Int
        /// Attempts that ended in an infra failure (a lost worker counts).
        public var infraFailures: Int
        public var latestCheckpoint: StoredCheckpoint?
        /// When the current lease expires; renewed by any message from the holder.
        public var leaseExpiry: Double?
        /// Every lease granted for the trial, by attempt (ended ones too).
        public var leases: [Int: Lease] = [:]
        /// The last attempt paused at the tail; its late reports are expected, not suspect.
        public var pausedAttempt: Int?
    }

    /// - Parameters:
    ///   - trials: every trial of the sweep, in schedule order.
    ///   - restored: what a previous run of this sweep left in the store, by trial id.
    ///   - stopping: the early-stopping rule, if any; `budget`: when the sweep ends early.
    public init(trials: [ScheduledTrial], restored: [String: RestoredTrial] = [:],
                policy: SchedulerPolicy = SchedulerPolicy(), now: Double,
                stopping: (any EarlyStoppingRule)? = nil, budget: EarlyStopping.Budget? = nil,
                leaseIDs: @escaping @Sendable () -> String = LeaseID.random) {
        self.policy = policy
        self.newLeaseID = leaseIDs
        self.stopping = stopping
        self.budget = budget
        self.cores = CoreAllocator(maxThreads: policy.maxThreadsPerTrial)
        var orphans: [String] = []
        for trial in trials {
            var state = TrialState(trial: trial, phase: .queued, attemptsStarted: 0, infraFailures: 0,
                                   latestCheckpoint: nil, leaseExpiry: nil)
            if let old = restored[trial.id] {
                state.attemptsStarted = min(max(old.attemptsStarted, 0), Self.attemptCeiling)
                state.leases = old.leases
                state.infraFailures = old.infraFailures
                state.latestCheckpoint = old.latestCheckpoint
                state.pausedAttempt = old.pausedAttempt
                if let outcome = old.outcome {
                    state.phase = .finished(outcome, attempt: old.winningAttempt ?? old.attemptsStarted)
                } else if old.wasRunning {
                    state.phase = .orphaned(attempt: old.attemptsStarted)
                    state.leaseExpiry = now + policy.adoptionWindow
                    orphans.append(trial.id)
                } else {
                    queue.pushBack(trial.id)
                }
            } else {
                queue.pushBack(trial.id)
            }
            self.trials[trial.id] = state
        }
        // Orphans first, in schedule order.
        for id in orphans.reversed() { queue.pushFront(id) }
        restoreEarlyStopping(restored)
    }

    /// A trial's state as a previous coordinator run left it.
    public struct RestoredTrial: Sendable, Equatable {
        public var outcome: TrialOutcome?
        public var winningAttempt: Int?
        public var attemptsStarted: Int
        public var infraFailures: Int
        public var wasRunning: Bool
        public var latestCheckpoint: StoredCheckpoint?
        /// The leases the store remembers, by attempt.
        public var leases: [Int: Lease]
        /// Recorded val_loss by epoch, and seconds trained: the early-stopping rule and budget
        /// pick up where the previous run left them.
        public var valLosses: [Int: Double] = [:]
        public var secondsTrained: Double = 0
        /// The epoch a `stopped` trial stopped at.
        public var stoppedEpoch: Int?
        /// Epochs at which the rule's decision about the trial was recorded (a rung epoch with
        /// a val_loss but no decision was waiting for its checkpoint when the run stopped).
        public var decidedEpochs: Set<Int> = []
        /// The last attempt paused at the tail (attempt outcome `paused`).
        public var pausedAttempt: Int?
        public init(outcome: TrialOutcome? = nil, winningAttempt: Int? = nil, attemptsStarted: Int = 0,
                    infraFailures: Int = 0, wasRunning: Bool = false, latestCheckpoint: StoredCheckpoint? = nil,
                    leases: [Int: Lease] = [:]) {
            self.leases = leases
            self.outcome = outcome
            self.winningAttempt = winningAttempt
            self.attemptsStarted = attemptsStarted
            self.infraFailures = infraFailures
            self.wasRunning = wasRunning
            self.latestCheckpoint = latestCheckpoint
        }
    }

    // MARK: Queries

    /// Kept up to date by `TrialTable`: O(1), asked after every message.
    public var counts: SchedulerCounts { trials.counts }

    /// Every trial has a final status.
    public var isComplete: Bool { trials.counts.queued == 0 && trials.counts.running == 0 }

    public var workerEntries: [WorkerEntry] { workers.all }
    public func worker(_ id: WorkerID) -> WorkerEntry? { workers[id] }
    public func state(of trialID: String) -> TrialState? { trials[trialID] }
    public var queuedTrialIDs: [String] { queue.ids }
    /// Trial states the scheduler examined in scans (the queue, expiring leases) since it was
    /// made: the work its decisions cost, which must not grow with the sweep.
    public var trialsExamined: Int { queue.entriesExamined + leaseChecks }

    // MARK: Worker lifecycle

    /// HELLO. `running` is the lease the worker says it is still training under, if any: after a
    /// reconnect or a coordinator restart this is how the trial is re-adopted.
    /// `prefetch`: trials it holds while it trains (HELLO `prefetch`; at most `maxPrefetch` are used).
    public mutating func hello(_ id: WorkerID, name: String? = nil, host: String, cores: Int, cpus: [Int] = [],
                               running: LeaseKey?, prefetch: Int = 0, now: Double) -> [SchedulerEvent] {
        // A greeting keeps at most the trial it names: a held one was dropped with the old connection.
        var events = dropHeld(id, reason: "worker \(id) greeted again")
        if let old = workers[id], let trialID = old.trialID, running?.trialID != trialID {
            // Same identity re-greeting without its trial: the attempt is gone.
            events += endAttempt(trialID: trialID, worker: id, now: now, reason: "worker \(id) restarted its trial", countsAsFailure: true)
        }
        var entry = workers[id] ?? WorkerEntry(id: id, name: name, host: host, cores: cores, now: now)
        entry.name = name
        entry.host = host
        entry.cores = cores
        entry.lastHeard = now
        entry.suspect = false
        entry.ready = false
        entry.trialID = nil
        entry.heldTrialIDs = []
        entry.prefetch = min(max(prefetch, 0), Self.maxPrefetch)
        entry.assignsSent = 0
        workers[id] = entry
        coresJoined(entry, cpus: cpus, running: running != nil)
        if let running {
            events += adopt(worker: id, running, now: now)
        }
        return events
    }

    /// A worker claims it still trains under `key`. Only the newest lease of an unfinished trial that
    /// nobody else holds can be re-adopted; the lease id is the proof, never the attempt number alone.
    private mutating func adopt(worker id: WorkerID, _ key: LeaseKey, now: Double) -> [SchedulerEvent] {
        let trialID = key.trialID
        func stop(_ code: StopCode) -> [SchedulerEvent] { [.stop(worker: id, trialID: trialID, attempt: key.attempt, code: code)] }
        guard var state = trials[trialID] else { return stop(.unknownTrial) }
        guard let lease = state.leases[key.attempt], lease.id == key.leaseID else { return stop(.notLeaseHolder) }
        switch state.phase {
        case .running(let holder, let current) where current == key.attempt:
            // The same lease from a new identity of its worker: the lease moves with it.
            if holder != id { release(trialID, from: holder, now: now) }
            state.phase = .running(worker: id, attempt: current)
            state.leases[current]?.worker = id
            state.leaseExpiry = now + policy.lostAfter
            trials[trialID] = state
            workers[id]?.trialID = trialID
            startProgressWatch(trialID: trialID, attempt: current, now: now)
            let threads = coresAdopted(trialID: trialID, attempt: current, worker: id)
            return (holder == id ? [] : [.adopted(worker: id, trialID: trialID, attempt: current)]) + threads
        case .queued, .orphaned:
            guard state.pausedAttempt != key.attempt else { return stop(.paused) }
            guard key.attempt == state.attemptsStarted else { return stop(.leaseLost) }
            queue.remove(trialID)
            state.phase = .running(worker: id, attempt: key.attempt)
            state.leases[key.attempt]?.worker = id
            state.leaseExpiry = now + policy.lostAfter
            trials[trialID] = state
            workers[id]?.trialID = trialID
            startProgressWatch(trialID: trialID, attempt: key.attempt, now: now)
            return [.adopted(worker: id, trialID: trialID, attempt: key.attempt)]
                + coresAdopted(trialID: trialID, attempt: key.attempt, worker: id)
        case .running:
            return stop(.leaseLost)
        case .finished(.stopped, let attempt):
            return stop(attempt == key.attempt ? .earlyStopped : .leaseLost)
        case .finished(let outcome, let winner):
            return stop(outcome != .failed && winner != key.attempt ? .superseded : .leaseLost)
        }
    }

    /// READY: the worker has no trial and wants one. `assigned`: the ASSIGNs it had received on
    /// this connection; fewer than were sent means the READY crossed an ASSIGN, which the worker
    /// starts when it arrives, so it only frees the slot for the next held trial.
    public mutating func ready(_ id: WorkerID, assigned: Int? = nil, now: Double) -> [SchedulerEvent] {
        guard workers[id] != nil else { return [] }
        workers[id]?.lastHeard = now
        if let assigned, let sent = workers[id]?.assignsSent, assigned < sent { return dispatch(now: now) }
        var events = dropHeld(id, reason: "worker \(id) became ready holding no trial")
        guard var entry = workers[id] else { return events }
        if let trialID = entry.trialID {
            // READY while we think it trains: that attempt ended without a word.
            workers[id] = entry
            events += endAttempt(trialID: trialID, worker: id, now: now, reason: "worker \(id) became ready mid-trial", countsAsFailure: true)
            entry = workers[id] ?? entry
        }
        entry.ready = true
        entry.trialID = nil
        workers[id] = entry
        cores.endAll(worker: id)
        return events + dispatch(now: now)
    }

    /// Any message from a worker: renews its liveness and its trial's lease.
    public mutating func heard(from id: WorkerID, now: Double) -> [SchedulerEvent] {
        guard var entry = workers[id] else { return [] }
        entry.lastHeard = now
        var events: [SchedulerEvent] = []
        if entry.suspect {
            entry.suspect = false
            events.append(.workerRecovered(id))
        }
        workers[id] = entry
        let expiry = now + policy.lostAfter
        if let trialID = entry.trialID { trials[trialID]?.leaseExpiry = expiry }
        for trialID in entry.heldTrialIDs { trials[trialID]?.leaseExpiry = expiry }
        return events
    }

    /// BYE, or the connection is known to be gone: requeue its trial without charging an attempt.
    public mutating func bye(_ id: WorkerID, now: Double) -> [SchedulerEvent] {
        var events = dropHeld(id, reason: "worker \(id) left")
        guard let entry = workers[id] else { return events }
        if let trialID = entry.trialID {
            events += endAttempt(trialID: trialID, worker: id, now: now, reason: "worker \(id) left", countsAsFailure: false)
        }
        events += coresLeft(entry)
        workers[id] = nil
        return events + dispatch(now: now)
    }

    /// Removes a worker whose process reconnected under a new identity: its trial is requeued
    /// without charge and not handed out yet, so the new identity's HELLO can re-adopt it.
    public mutating func forget(_ id: WorkerID, now: Double) -> [SchedulerEvent] {
        var events = dropHeld(id, reason: "worker \(id) reconnected")
        guard let entry = workers[id] else { return events }
        if let trialID = entry.trialID {
            // Its process still trains with the cores it holds; its next HELLO re-adopts them.
            events += endAttempt(trialID: trialID, worker: id, now: now, reason: "worker \(id) reconnected", countsAsFailure: false,
                                 freesCores: false)
        }
        workers[id] = nil
        _ = now
        return events
    }

    /// The worker's process is known to have died (a local child's exit): its attempt ends now as
    /// an infra failure, without waiting for the lease, and the trial goes to another worker.
    public mutating func exited(_ id: WorkerID, reason: String, now: Double) -> [SchedulerEvent] {
        var events = dropHeld(id, reason: reason)
        guard let entry = workers[id] else { return events }
        if let trialID = entry.trialID {
            events += endAttempt(trialID: trialID, worker: id, now: now, reason: reason, countsAsFailure: true)
        }
        events += coresLeft(entry)
        workers[id] = nil
        return events + dispatch(now: now)
    }

    /// Liveness and lease checks; call about once per heartbeat.
    public mutating func tick(now: Double) -> [SchedulerEvent] {
        var events: [SchedulerEvent] = []
        for entry in workers.all {
            let silence = now - entry.lastHeard
            if silence >= policy.lostAfter {
                events.append(.workerLost(entry.id))
                events += dropHeld(entry.id, reason: "worker \(entry.id) silent for \(Int(silence)) s")
                if let trialID = entry.trialID {
                    events += endAttempt(trialID: trialID, worker: entry.id, now: now,
                                         reason: "worker \(entry.id) silent for \(Int(silence)) s", countsAsFailure: true)
                }
                events += coresLeft(entry)
                workers[entry.id] = nil
            } else if silence >= policy.suspectAfter, !entry.suspect {
                workers[entry.id]?.suspect = true
                events.append(.workerSuspect(entry.id))
            }
            if let until = entry.quarantinedUntil, now >= until, workers[entry.id] != nil {
                // Probation: back to work, one failure away from another quarantine.
                workers[entry.id]?.quarantinedUntil = nil
                let probation = max(0, policy.quarantineAfterInfraFailures - 1)
                workers[entry.id]?.consecutiveInfraFailures = probation
                events.append(.workerReleased(entry.id))
            }
        }
        // Orphans whose worker never came back, and leases nobody renewed.
        for id in trials.withLeaseExpiry.sorted() {
            leaseChecks += 1
            guard let state = trials[id], let expiry = state.leaseExpiry, now >= expiry else { continue }
            switch state.phase {
            case .orphaned(let attempt):
                trials[id]?.leaseExpiry = nil
                trials[id]?.phase = .queued
                events.append(.requeued(trialID: id, attempt: attempt, reason: "no worker re-adopted it after a restart"))
            case .running(let holder, _):
                events += endAttempt(trialID: id, worker: holder, now: now, reason: "lease expired", countsAsFailure: true)
            default:
                trials[id]?.leaseExpiry = nil
            }
        }
        events += stalledAttempts(now: now)
        events += spendBudget(now: now)
        events += settleRestoredDecisions(now: now)
        events += promoteQualified(now: now)
        return events + dispatch(now: now)
    }

    /// Stop handing out work (shutdown). Running trials keep their leases.
    public mutating func beginDrain() { draining = true }

    // MARK: Assignment

    /// Pairs ready workers with queued trials, in schedule order.
    public mutating func dispatch(now: Double) -> [SchedulerEvent] {
        guard !draining, !holding, !budgetSpent else { return [] }
        var events: [SchedulerEvent] = []
        for entry in workers.all where entry.assignable && cores.mayAssign(member: memberKey(entry)) {
            guard let trialID = nextTrial() else { break }
            if let assignment = lease(trialID, to: entry.id, held: false, now: now) { events.append(.assign(assignment)) }
        }
        return events + prefetch(now: now) + rebalanceCores()
    }

    /// Grants a new attempt of `trialID` to worker `id`: to train now, or `held` behind the trial it
    /// trains (it starts when that ends: no watchdog, no cores, until then).
    mutating func lease(_ trialID: String, to id: WorkerID, held: Bool, now: Double) -> Assignment? {
        guard var state = trials[trialID], let entry = workers[id] else { return nil }
        queue.remove(trialID)
        state.attemptsStarted += 1
        let lease = Lease(id: newLeaseID(), worker: id, workerName: entry.name)
        state.leases[state.attemptsStarted] = lease
        state.phase = .running(worker: id, attempt: state.attemptsStarted)
        state.leaseExpiry = now + policy.lostAfter
        trials[trialID] = state
        workers[id]?.assignsSent += 1
        // The new attempt starts after the checkpoint it resumes from.
        reachedEpoch[trialID] = state.latestCheckpoint?.epoch
        if held {
            workers[id]?.heldTrialIDs.append(trialID)
        } else {
            workers[id]?.ready = false
            workers[id]?.trialID = trialID
            startProgressWatch(trialID: trialID, attempt: state.attemptsStarted, now: now)
            cores.started(trialID: trialID, attempt: state.attemptsStarted, worker: id, member: memberKey(entry),
                          threads: state.trial.threads)
        }
        return Assignment(worker: id, trialID: trialID, attempt: state.attemptsStarted, leaseID: lease.id,
                          resumeFrom: state.latestCheckpoint)
    }

    /// Takes back an assignment the owner could not record or send: the trial is queued again at the
    /// front with its attempt number and lease withdrawn (nothing ran, nothing is charged), and the
    /// worker is ready again.
    public mutating func unassign(_ assignment: Assignment, now: Double) {
        guard var state = trials[assignment.trialID],
              case .running(assignment.worker, assignment.attempt) = state.phase else { return }
        state.leases[assignment.attempt] = nil
        state.attemptsStarted = max(0, assignment.attempt - 1)
        state.phase = .queued
        state.leaseExpiry = nil
        trials[assignment.trialID] = state
        queue.pushFront(assignment.trialID)
        cores.end(trialID: assignment.trialID)
        guard var entry = workers[assignment.worker] else { return }
        entry.assignsSent = max(0, entry.assignsSent - 1)
        entry.heldTrialIDs.removeAll { $0 == assignment.trialID }
        if entry.trialID == assignment.trialID {
            entry.trialID = nil
            entry.ready = true
        }
        workers[assignment.worker] = entry
        // An idle worker starts whatever arrives: a held trial sent behind this one is its trial now.
        if entry.trialID == nil { startHeld(assignment.worker, now: now) }
    }

    /// The first plain queued trial. Orphans wait for their old worker's HELLO until the adoption
    /// window closes (`tick` then queues them); handing one out earlier would run it twice.
    mutating func nextTrial() -> String? {
        let trials = self.trials
        return queue.first(where: { trials[$0]?.phase == .queued })
    }

    // MARK: Reports from workers

    /// Judges a report about `key` from socket identity `id` (SPEC.md §5): only the holder of that
    /// exact live lease writes; a result may also come from the worker that held that exact lease
    /// after it expired, while the trial is unfinished. An orphan (running when the coordinator
    /// restarted) is re-adopted by a PROGRESS under its newest lease. Renews the sender's liveness.
    public mutating func judge(_ key: LeaseKey, from id: WorkerID, kind: ReportKind,
                               now: Double) -> (verdict: ReportVerdict, events: [SchedulerEvent]) {
        let events = heard(from: id, now: now)
        guard let state = trials[key.trialID] else { return (.rejected(.unknownTrial), events) }
        guard let lease = state.leases[key.attempt], lease.id == key.leaseID else {
            return (.rejected(.notLeaseHolder), events)
        }
        // Sent before the pause's STOP arrived.
        if kind == .progress, state.pausedAttempt == key.attempt { return (.rejected(.paused), events) }
        let sameWorker = lease.worker == id || (lease.workerName != nil && lease.workerName == workers[id]?.name)
        let late: ReportVerdict = kind == .result && sameWorker ? .lateHolder : .rejected(.leaseLost)
        switch state.phase {
        case .running(let holder, let current) where current == key.attempt:
            return (holder == id ? .holder : .rejected(.notLeaseHolder), events)
        case .finished(.stopped, let attempt):
            // Stopped early: reports of the stopped attempt (sent before STOP arrived) are not wanted.
            return (.rejected(attempt == key.attempt ? .earlyStopped : .leaseLost), events)
        case .finished(let outcome, let winner) where outcome != .failed:
            return (winner == key.attempt ? .duplicate : .rejected(.superseded), events)
        case .finished:
            // Ran out of attempts: only the holder of the last lease may still deliver.
            return (key.attempt == state.attemptsStarted ? late : .rejected(.leaseLost), events)
        case .orphaned(let attempt):
            guard key.attempt == attempt, sameWorker else { return (.rejected(.leaseLost), events) }
            if kind == .result { return (.lateHolder, events) }
            let adopted = adopt(worker: id, key, now: now)
            let ok = adopted.allSatisfy { if case .stop = $0 { false } else { true } }
            return (ok ? .holder : .rejected(.leaseLost), events + adopted)
        case .queued, .running:
            return (late, events)
        }
    }

    /// A checkpoint of the current attempt was stored; later attempts resume from it.
    /// Checkpoints from attempts that no longer hold the trial are ignored (returns false).
    @discardableResult
    public mutating func checkpointStored(trialID: String, attempt: Int, worker: WorkerID, ref: StoredCheckpoint) -> Bool {
        guard let state = trials[trialID], case .running(let holder, let current) = state.phase,
              holder == worker, current == attempt else { return false }
        if let old = state.latestCheckpoint, old.epoch > ref.epoch { return false }
        trials[trialID]?.latestCheckpoint = ref
        return true
    }

    /// The owner committed a result `judge` accepted (holder or late holder). Frees the sender and
    /// tells the live holder of another attempt, if any, to stop.
    public mutating func resultCommitted(trialID: String, attempt: Int, outcome: TrialOutcome, from id: WorkerID,
                                         now: Double) -> [SchedulerEvent] {
        guard var state = trials[trialID] else { return [] }
        var events: [SchedulerEvent] = []
        cores.end(trialID: trialID)
        if case .running(let holder, let current) = state.phase, holder != id || current != attempt {
            events.append(.stop(worker: holder, trialID: trialID, attempt: current, code: .superseded))
            release(trialID, from: holder, now: now)
        }
        queue.remove(trialID)
        state.phase = .finished(outcome, attempt: attempt)
        state.leaseExpiry = nil
        trials[trialID] = state
        if var entry = workers[id] {
            entry.lastHeard = now
            entry.consecutiveInfraFailures = 0
            workers[id] = entry
        }
        release(trialID, from: id, now: now)
        awaitingCheckpoint[trialID] = nil
        // A trial that ends (diverged before a rung, say) may close a rung it never reached.
        events += promoteQualified(now: now)
        // A worker that moved on to its held trial has a free slot for the next.
        if let entry = workers[id], entry.prefetch > entry.heldTrialIDs.count, entry.trialID != nil {
            events += dispatch(now: now)
        }
        return events
    }

    /// FAILED with class infra: the attempt is charged, the trial retried or failed, and a worker
    /// that keeps failing is quarantined. `workerFault`: the worker's own storage failed, so only
    /// the worker is charged and the trial is retried whatever its attempts.
    public mutating func infraFailure(from id: WorkerID, trialID: String, attempt: Int, reason: String,
                                      workerFault: Bool = false, now: Double) -> [SchedulerEvent] {
        var events = heard(from: id, now: now)
        guard let state = trials[trialID], case .running(let holder, let current) = state.phase,
              holder == id, current == attempt else { return events }
        events += endAttempt(trialID: trialID, worker: id, now: now, reason: reason, countsAsFailure: true,
                             chargesTrial: !workerFault)
        return events + dispatch(now: now)
    }

    /// Ends the current attempt of a trial held by `worker` without a result. `countsAsFailure`:
    /// the worker is charged (toward quarantine), and the trial too unless `chargesTrial` is false.
    mutating func endAttempt(trialID: String, worker id: WorkerID, now: Double, reason: String,
                             countsAsFailure: Bool, chargesTrial: Bool = true, freesCores: Bool = true) -> [SchedulerEvent] {
        guard var state = trials[trialID], case .running(let holder, let attempt) = state.phase, holder == id else {
            return []
        }
        if freesCores { cores.end(trialID: trialID) }
        // The next attempt reports the rung again, after its checkpoint.
        awaitingCheckpoint[trialID] = nil
        var events: [SchedulerEvent] = []
        // Its holder moves on to the trial it holds, if any.
        release(trialID, from: id, now: now)
        state.leaseExpiry = nil
        if countsAsFailure {
            if chargesTrial { state.infraFailures += 1 }
            if var entry = workers[id] {
                entry.consecutiveInfraFailures += 1
                if entry.consecutiveInfraFailures >= policy.quarantineAfterInfraFailures, !entry.quarantined {
                    entry.quarantinedUntil = now + policy.quarantineSeconds
                    events.append(.workerQuarantined(id))
                }
                workers[id] = entry
            }
        }
        if state.infraFailures >= state.trial.maxAttempts {
            state.phase = .finished(.failed, attempt: attempt)
            trials[trialID] = state
            events.append(.trialFailed(trialID: trialID, attempts: state.attemptsStarted, reason: reason))
            events += promoteQualified(now: now)
        } else {
            state.phase = .queued
            trials[trialID] = state
            queue.pushFront(trialID)
            events.append(.requeued(trialID: trialID, attempt: attempt, reason: reason))
        }
        return events
    }
}
