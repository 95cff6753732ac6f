/// Timing and retry limits of the scheduler. Times are seconds on a monotonic clock that the caller
/// supplies with every call, so the state machine never reads a clock itself.
public struct SchedulerPolicy: Sendable, Equatable {
    /// Seconds between heartbeats in both directions (SPEC.md: 1 s).
    public var heartbeatInterval: Double
    /// A worker silent for this many beats is *suspect*: it keeps its trial but gets no new work.
    public var suspectAfterMissedBeats: Int
    /// A worker silent this long is *lost*: its trial is requeued and resumes from its latest
    /// checkpoint. At least 30 s in production; tests shorten it.
    public var lostAfter: Double
    /// Consecutive infra failures after which a worker gets no more work.
    public var quarantineAfterInfraFailures: Int
    /// A quarantined worker gets work again after this long, on probation: one more infra failure
    /// quarantines it again. Without it, a sweep whose every worker is quarantined would stall.
    public var quarantineSeconds: Double
    /// Trials that were running when a coordinator restarted wait this long for their worker's
    /// HELLO before another worker may take them. 0 when only local workers (which died with the
    /// old coordinator) can connect.
    public var adoptionWindow: Double
    /// Progress watchdog (SPEC.md §7): an attempt that sends no PROGRESS or CHECKPOINT for
    /// max(this, 10 × its trial's longest reported epoch) seconds is ended as an infra failure.
    public var progressMinimum: Double = 600
    /// The same before the trial's first epoch: max(this, 10 × the estimated epoch time).
    public var firstEpochMinimum: Double = 1800
    /// Speed the epoch estimate assumes. Deliberately slow, so a slow host is never cut off.
    public var assumedFLOPsPerSecond: Double = 1e9
    /// Elastic cores: lend idle workers' cores to running trials on the same host (SPEC.md §3.2,
    /// THREADS). Off: every trial keeps the threads it starts with.
    public var elasticCores = true
    /// Most threads one trial is given.
    public var maxThreadsPerTrial = 256
    /// Pausing at the tail: with fewer queued trials than busy cores, pause a running trial after
    /// a checkpoint to start a waiting one when that ends the sweep sooner (Scheduler+Pausing.swift).
    public var pausing = true
    /// Seconds a pause must bring the projected end forward by (it costs a checkpoint load and a
    /// few messages), and at least 10 % of what is left.
    public var pauseMinimumGain: Double = 1
    /// Prefetch (SPEC.md §3.5): a busy worker that holds assignments is given its next trial when
    /// its running one is projected to end within this many seconds, so it never waits for the
    /// coordinator between short trials; the bound keeps a trial from queueing behind a long one
    /// while another worker could take it. 0: off.
    public var prefetchSeconds: Double = 1

    public init(heartbeatInterval: Double = 1, suspectAfterMissedBeats: Int = 3, lostAfter: Double = 30,
                quarantineAfterInfraFailures: Int = 3, adoptionWindow: Double = 30, quarantineSeconds: Double = 600) {
        self.heartbeatInterval = heartbeatInterval
        self.suspectAfterMissedBeats = suspectAfterMissedBeats
        self.lostAfter = lostAfter
        self.quarantineAfterInfraFailures = quarantineAfterInfraFailures
        self.adoptionWindow = adoptionWindow
        self.quarantineSeconds = quarantineSeconds
    }

    var suspectAfter: Double { heartbeatInterval * Double(suspectAfterMissedBeats) }
}
