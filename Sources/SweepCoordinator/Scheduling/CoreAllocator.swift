import SweepProtocol

/// Tell the worker holding `trialID`'s attempt to train with `threads` threads on `cpus` (THREADS,
/// SPEC.md §3.2; empty `cpus`: its own cpus, unpinned further).
public struct CoreCommand: Sendable, Equatable {
    public let worker: WorkerID
    public let trialID: String
    public let attempt: Int
    public let threads: Int
    public let cpus: [Int]
    /// Threads the attempt may have used before this command (for the event log).
    public let previous: Int
}

/// Elastic cores: lends the cores of idle workers to running trials on the same host, and takes
/// them back when work waits for those workers. A pure state machine the `Scheduler` owns; it
/// decides, the scheduler's owner sends the THREADS commands.
///
/// Safety rule: a core (a `Slot`: one of a worker's cores) is used by at most one trial. A lent
/// slot stays held until the borrower's worker confirms a thread count without it (or its
/// attempt ends), and a worker gets new work only when none of its slots is held. So a host
/// never runs more threads than its workers' cores, whatever order messages arrive in.
/// At most one command per attempt is in flight, so a report of exactly the commanded count
/// confirms it.
struct CoreAllocator: Sendable {
    /// A worker process as the allocator sees it, keyed by its HELLO `worker_id` (stable across
    /// reconnects, so lent cores survive a new socket identity).
    struct Member: Sendable, Equatable {
        var worker: WorkerID
        let host: String
        var cores: Int
        /// Its allowed cpu ids (HELLO `cpus`); used only when there is one per core.
        var cpus: [Int]
        var cpuIDs: [Int]? { cpus.count == cores ? cpus : nil }
    }

    /// One core of a worker process.
    struct Slot: Sendable, Hashable {
        let lender: String
        let index: Int
    }

    /// A running attempt's threads.
    struct Grant: Sendable, Equatable {
        var attempt: Int
        var worker: WorkerID
        var member: String
        let host: String
        /// Threads it starts with: the trial's own `threads`, at most its worker's cores.
        let base: Int
        /// Cores it may use beyond `base` (its own worker's spare cores included).
        var borrowed: [Slot] = []
        /// Cores it is giving back: still in use until its worker confirms.
        var releasing: [Slot] = []
        var commanded: Int
        /// The count its worker last reported; nil while unknown (after a re-adoption).
        var confirmed: Int?
        var inFlight: Bool { confirmed != commanded }
        /// The most threads it may be running now.
        var mayUse: Int { max(commanded, confirmed ?? 0, base + borrowed.count + releasing.count) }
    }

    let maxThreads: Int
    private(set) var members: [String: Member] = [:]
    private(set) var memberOrder: [String] = []
    private(set) var grants: [String: Grant] = [:]
    /// Held slots by lender (borrowed or releasing by some grant).
    private(set) var held: [String: Set<Int>] = [:]
    /// Lenders that left while their cores were still held: a process that comes back under a new
    /// identity on those cpus (a restarted local worker) waits for them like the lender would.
    private(set) var departed: [String: Member] = [:]

    init(maxThreads: Int = 256) { self.maxThreads = max(1, maxThreads) }

    // MARK: Queries

    /// A worker whose cores are lent (or being given back) may not take a trial.
    func mayAssign(member key: String) -> Bool {
        guard held[key]?.isEmpty ?? true else { return false }
        guard let member = members[key] else { return true }
        for (lender, gone) in departed where gone.host == member.host {
            let slots = held[lender] ?? []
            if slots.isEmpty { continue }
            // Without both cpu lists nobody can tell the cores apart: wait.
            guard let theirs = gone.cpuIDs, let mine = member.cpuIDs else { return false }
            if slots.contains(where: { $0 < theirs.count && mine.contains(theirs[$0]) }) { return false }
        }
        return true
    }

    /// Threads an attempt is to run with now, if it is known.
    func threads(trialID: String) -> Int? { grants[trialID]?.commanded }

    /// Threads a host may be running: the sum over its running attempts, each at its most.
    func threadsInUse(host: String) -> Int {
        grants.values.filter { $0.host == host }.reduce(0) { $0 + $1.mayUse }
    }

    /// Cores of the host's worker processes (including departed lenders whose cores are still held).
    func cores(host: String) -> Int {
        let present = members.values.filter { $0.host == host }.reduce(0) { $0 + $1.cores }
        let departed = held.filter { members[$0.key] == nil && !$0.value.isEmpty && hostOfHeld($0.key) == host }
            .reduce(0) { $0 + $1.value.count }
        return present + departed
    }

    private func hostOfHeld(_ lender: String) -> String? {
        grants.values.first { g in (g.borrowed + g.releasing).contains { $0.lender == lender } }?.host
    }

    // MARK: Membership

    /// Most cores one worker process is counted with: HELLO's `cores` is any count up to 2³¹−1,
    /// and the allocator walks a worker's cores one by one.
    static let coreLimit = 1024

    /// HELLO (also a process greeting again under a new identity: its member moves with it).
    mutating func join(member key: String, worker: WorkerID, host: String, cores: Int, cpus: [Int]) {
        let cores = min(max(1, cores), Self.coreLimit)
        if var old = members[key] {
            old.worker = worker
            old.cores = cores
            old.cpus = cpus
            members[key] = old
        } else {
            members[key] = Member(worker: worker, host: host, cores: cores, cpus: cpus)
            memberOrder.append(key)
        }
    }

    /// The process is gone (BYE, exit, lost): its attempts end and the cores it lent are taken back.
    mutating func leave(member key: String) -> [CoreCommand] {
        for (trialID, grant) in grants where grant.member == key { end(trialID: trialID) }
        if !(held[key]?.isEmpty ?? true), let member = members[key] { departed[key] = member }
        members[key] = nil
        memberOrder.removeAll { $0 == key }
        return reclaim(lenders: [key])
    }

    // MARK: Attempts

    /// A trial was assigned to `worker`: it starts with `threads` (clamped to the worker's cores).
    mutating func started(trialID: String, attempt: Int, worker: WorkerID, member key: String, threads: Int) {
        end(trialID: trialID)
        guard let member = members[key] else { return }
        let base = min(max(1, threads), member.cores, maxThreads)
        grants[trialID] = Grant(attempt: attempt, worker: worker, member: key, host: member.host, base: base,
                                commanded: base, confirmed: base)
    }

    /// A worker re-adopted its running attempt. A grant this coordinator made moves with it; one it
    /// does not know (a previous coordinator's) is set back to its own cores.
    mutating func adopted(trialID: String, attempt: Int, worker: WorkerID, member key: String, threads: Int) -> [CoreCommand] {
        if var grant = grants[trialID], grant.attempt == attempt, grant.member == key {
            grant.worker = worker
            grants[trialID] = grant
            return []
        }
        started(trialID: trialID, attempt: attempt, worker: worker, member: key, threads: threads)
        guard var grant = grants[trialID] else { return [] }
        grant.confirmed = nil
        grants[trialID] = grant
        return [command(trialID, grant, previous: grant.base)]
    }

    /// The attempt ended (result, requeue, STOP); its worker no longer trains it, so every core
    /// it held is free again.
    mutating func end(trialID: String) {
        guard let grant = grants.removeValue(forKey: trialID) else { return }
        for slot in grant.borrowed + grant.releasing { held[slot.lender]?.remove(slot.index) }
        forgetFreedDepartures()
    }

    private mutating func forgetFreedDepartures() {
        for lender in departed.keys where held[lender]?.isEmpty ?? true { departed[lender] = nil }
    }

    /// Ends every attempt `worker` holds (it said READY, or restarted its trial).
    mutating func endAll(worker: WorkerID) {
        for (trialID, grant) in grants where grant.worker == worker { end(trialID: trialID) }
    }

    /// Ends every attempt of the worker process `key` (it greeted without one).
    mutating func endAll(member key: String) {
        for (trialID, grant) in grants where grant.member == key { end(trialID: trialID) }
    }

    /// The holder reported the thread count it trains with. Returns true when that confirmed the
    /// command in flight (cores may be free, or the next change may go out).
    @discardableResult
    mutating func reported(trialID: String, attempt: Int, threads: Int) -> Bool {
        guard var grant = grants[trialID], grant.attempt == attempt, grant.confirmed != threads else { return false }
        grant.confirmed = threads
        guard threads == grant.commanded else {
            grants[trialID] = grant
            return false
        }
        for slot in grant.releasing { held[slot.lender]?.remove(slot.index) }
        grant.releasing = []
        grants[trialID] = grant
        forgetFreedDepartures()
        return true
    }

    // MARK: Commands

    /// The cpus of a grant's threads: its own worker's first `base`, then the borrowed ones in
    /// order; empty when any is unknown.
    func cpus(of grant: Grant) -> [Int] {
        guard let own = members[grant.member]?.cpuIDs else { return [] }
        var cpus = Array(own.prefix(grant.base))
        for slot in grant.borrowed {
            guard let ids = members[slot.lender]?.cpuIDs, slot.index < ids.count else { return [] }
            cpus.append(ids[slot.index])
        }
        return cpus
    }

    func command(_ trialID: String, _ grant: Grant, previous: Int) -> CoreCommand {
        CoreCommand(worker: grant.worker, trialID: trialID, attempt: grant.attempt, threads: grant.commanded,
                    cpus: cpus(of: grant), previous: previous)
    }

    /// Asks every borrower of `lenders`' cores to give them back. Borrowers with a command in
    /// flight are asked on a later rebalance, after they confirm.
    mutating func reclaim(lenders: Set<String>) -> [CoreCommand] {
        var commands: [CoreCommand] = []
        for trialID in grants.keys.sorted() {
            guard var grant = grants[trialID], !grant.inFlight,
                  grant.borrowed.contains(where: { lenders.contains($0.lender) }) else { continue }
            let previous = grant.commanded
            let back = grant.borrowed.filter { lenders.contains($0.lender) }
            grant.borrowed.removeAll { lenders.contains($0.lender) }
            grant.releasing += back
            grant.commanded = grant.base + grant.borrowed.count
            grants[trialID] = grant
            commands.append(command(trialID, grant, previous: previous))
        }
        return commands
    }

    mutating func hold(_ slot: Slot) { held[slot.lender, default: []].insert(slot.index) }
    mutating func setGrant(_ trialID: String, _ grant: Grant) { grants[trialID] = grant }
}
