#if canImport(Glibc)
import CSystemShim
import Glibc
#endif
import SystemSupport

/// A trainer's fixed team of threads: the calling thread plus `size - 1` workers, created once with
/// the pool and pinned one per allowed core, so a training step neither creates threads nor
/// allocates. `run` splits a region into a fixed list of parts that the threads claim in turn (the
/// caller starts at once; a worker joins when it wakes), so a thread the machine's load delays
/// holds up a region by at most one part. Which thread computes a part never changes a result:
/// every region writes disjoint outputs, each computed in the same order as on one thread.
public final class ThreadPool: @unchecked Sendable {
    /// Threads in the team, the caller included.
    public let size: Int
    /// How small a piece of work may be split.
    let policy: SplitPolicy
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let finished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `lock`.
    private var generation = 0
    private var parts = 0
    private var nextPart = 0
    /// Workers inside the current region.
    private var active = 0
    private var body: ((Int) -> Void)?
    private var stopping = false
    private var workers: [pthread_t] = []
    /// The barrier of `runTeam` regions (one region runs at a time).
    private let teamBarrier: TeamBarrier
    /// Set while the owner runs a region: nested parallel calls inside a part run serially.
    private(set) var inRegion = false

    /// Most threads a trial may ask for.
    public static let maximumSize = 256

    public convenience init(size: Int) { self.init(size: size, policy: .measured) }

    /// A pool whose worker thread `i` (1…size−1) is pinned to `cores[i % cores.count]`; the caller
    /// is thread 0 (pin it to `cores[0]` yourself). Nil or empty: the caller's allowed cores.
    public convenience init(size: Int, cores: [Int]?) { self.init(size: size, policy: .measured, cores: cores) }

    init(size: Int, policy: SplitPolicy, cores explicit: [Int]? = nil) {
        precondition(size >= 1 && size <= Self.maximumSize, "ThreadPool: size \(size) outside 1...\(Self.maximumSize)")
        self.size = size
        self.policy = policy
        teamBarrier = TeamBarrier(members: size)
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(finished, nil)
        let cores = explicit.flatMap { $0.isEmpty ? nil : $0 } ?? (CPUAffinity.allowed() ?? [])
        for index in 1..<max(size, 1) {
            let start = WorkerStart(pool: self, core: cores.isEmpty ? nil : cores[index % cores.count])
            var thread = pthread_t()
            let context = Unmanaged.passRetained(start).toOpaque()
            let status = pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                let start = Unmanaged<WorkerStart>.fromOpaque(raw).takeRetainedValue()
                start.pool.workerLoop(core: start.core)
                return nil
            }, context)
            precondition(status == 0, "ThreadPool: pthread_create failed (\(status))")
            workers.append(thread)
        }
    }

    deinit {
        pthread_mutex_lock(lock)
        stopping = true
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(lock)
        for thread in workers { pthread_join(thread, nil) }
        pthread_cond_destroy(wake)
        pthread_cond_destroy(finished)
        pthread_mutex_destroy(lock)
        lock.deallocate()
        wake.deallocate()
        finished.deallocate()
    }

    /// Runs `body(0)`, …, `body(parts - 1)`, each once, on the team's threads, and returns when all
    /// are done. Inside a part (or with one part, or one thread) the calls run in order on the
    /// calling thread.
    public func run(parts: Int, _ body: (Int) -> Void) {
        precondition(parts >= 0, "ThreadPool: \(parts) parts")
        if parts <= 1 || size == 1 || inRegion {
            for part in 0..<parts { body(part) }
            return
        }
        inRegion = true
        defer { inRegion = false }
        withoutActuallyEscaping(body) { task in
            pthread_mutex_lock(lock)
            self.body = task
            self.parts = parts
            nextPart = 0
            generation &+= 1
            pthread_cond_broadcast(wake)
            while nextPart < parts {
                let part = nextPart
                nextPart += 1
                pthread_mutex_unlock(lock)
                task(part)
                pthread_mutex_lock(lock)
            }
            while active > 0 { pthread_cond_wait(finished, lock) }
            self.body = nil
            pthread_mutex_unlock(lock)
        }
    }

    /// Runs `body(member, barrier)` once on each of the team's `size` threads (the caller is member
    /// 0), for regions whose members meet at `barrier` (a recurrence split by hidden units waits
    /// there every time step). Every member must call `barrier.wait()` the same number of times.
    /// With one thread, or inside a region, `body(0, barrier)` runs alone and its waits return at once.
    func runTeam(_ body: (_ member: Int, _ barrier: TeamBarrier) -> Void) {
        if size == 1 || inRegion {
            body(0, Self.soloBarrier)
            return
        }
        inRegion = true
        defer { inRegion = false }
        let barrier = teamBarrier
        withoutActuallyEscaping({ (member: Int) in body(member, barrier) }) { task in
            pthread_mutex_lock(lock)
            self.body = task
            parts = size
            // The caller keeps member 0 only: a waiting member must never hold a part another needs.
            nextPart = 1
            generation &+= 1
            pthread_cond_broadcast(wake)
            pthread_mutex_unlock(lock)
            task(0)
            pthread_mutex_lock(lock)
            while nextPart < parts || active > 0 { pthread_cond_wait(finished, lock) }
            self.body = nil
            pthread_mutex_unlock(lock)
        }
    }

    private static let soloBarrier = TeamBarrier(members: 1)

    private func workerLoop(core: Int?) {
        #if os(Linux)
        if let core, let cpu = Int32(exactly: core) {
            var mask = csys_cpu_set_t()
            csys_cpu_zero(&mask)
            // Best effort: a refused pin leaves the thread where the scheduler puts it.
            if csys_cpu_set(cpu, &mask) == 0 { _ = sched_setaffinity(0, MemoryLayout<csys_cpu_set_t>.size, &mask) }
        }
        #endif
        var seen = 0
        pthread_mutex_lock(lock)
        while true {
            while generation == seen && !stopping { pthread_cond_wait(wake, lock) }
            if stopping { break }
            seen = generation
            guard nextPart < parts else { continue }
            // No copy of the region's closure may outlive the region (withoutActuallyEscaping
            // checks), so it is dropped before this thread leaves the region.
            var task = body
            active += 1
            while nextPart < parts {
                let part = nextPart
                nextPart += 1
                pthread_mutex_unlock(lock)
                task?(part)
                pthread_mutex_lock(lock)
            }
            task = nil
            active -= 1
            if active == 0 { pthread_cond_signal(finished) }
        }
        pthread_mutex_unlock(lock)
    }

    private final class WorkerStart {
        /// Not retained: the pool joins its threads in deinit, so it outlives them.
        unowned(unsafe) let pool: ThreadPool
        let core: Int?
        init(pool: ThreadPool, core: Int?) { self.pool = pool; self.core = core }
    }
}

// The pool a thread's kernels use: set by the trainer around its steps, read by GEMM and the layers.
extension ThreadPool {
    /// The calling thread's pool, if it has one with more than one thread and is not already
    /// running a region (parts of a region run serially).
    static var current: ThreadPool? {
        guard let raw = pthread_getspecific(currentPoolKey) else { return nil }
        let pool = Unmanaged<ThreadPool>.fromOpaque(raw).takeUnretainedValue()
        return pool.size > 1 && !pool.inRegion ? pool : nil
    }

    /// Makes `pool` the calling thread's pool until the enclosing `withCurrent` ends (a trainer
    /// that changes its pool between batches).
    static func replaceCurrent(_ pool: ThreadPool?) {
        pthread_setspecific(currentPoolKey, pool.map { UnsafeRawPointer(Unmanaged.passUnretained($0).toOpaque()) })
    }

    /// Runs `body` with `pool` as the calling thread's pool (nil: single-threaded).
    public static func withCurrent<R>(_ pool: ThreadPool?, _ body: () throws -> R) rethrows -> R {
        let previous = pthread_getspecific(currentPoolKey)
        pthread_setspecific(currentPoolKey, pool.map { UnsafeRawPointer(Unmanaged.passUnretained($0).toOpaque()) })
        defer { pthread_setspecific(currentPoolKey, previous) }
        return try body()
    }
}

private let currentPoolKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key, nil)
    precondition(status == 0, "ThreadPool: pthread_key_create failed (\(status))")
    return key
}()
