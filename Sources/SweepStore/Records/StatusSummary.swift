import Foundation

/// Everything `coordinator status` and the live progress view show, read in one snapshot.
public struct StatusSummary: Sendable, Equatable {
    /// Trials per status (every status present, possibly 0).
    public var counts: [TrialStatus: Int]
    public var total: Int
    public var running: [RunningTrial]
    /// Trials with a result, for ETA: seconds per unit of estimated cost.
    public var finished: [FinishedTrial]
    /// Sum of the estimated costs of queued and running trials that have one.
    public var remainingEstimatedCost: Double
    /// Queued and running trials without a cost estimate.
    public var remainingWithoutEstimate: Int

    public init(counts: [TrialStatus: Int], total: Int, running: [RunningTrial], finished: [FinishedTrial],
                remainingEstimatedCost: Double, remainingWithoutEstimate: Int) {
        self.counts = counts
        self.total = total
        self.running = running
        self.finished = finished
        self.remainingEstimatedCost = remainingEstimatedCost
        self.remainingWithoutEstimate = remainingWithoutEstimate
    }

    public struct RunningTrial: Sendable, Equatable {
        public var number: Int
        public var trialID: String
        public var workerID: String?
        /// Host of the worker (from the attempt, else the worker table).
        public var host: String?
        public var attempt: Int
        /// Highest epoch recorded so far, nil before the first.
        public var lastEpoch: Int?
        /// `epochs` of the trial's config, when present.
        public var plannedEpochs: Int?
        public var startedAt: Date?
        public var leaseExpiresAt: Date?
        public var estimatedCost: Double?

        public init(number: Int, trialID: String, workerID: String?, host: String?, attempt: Int, lastEpoch: Int?,
                    plannedEpochs: Int?, startedAt: Date?, leaseExpiresAt: Date?, estimatedCost: Double?) {
            self.number = number
            self.trialID = trialID
            self.workerID = workerID
            self.host = host
            self.attempt = attempt
            self.lastEpoch = lastEpoch
            self.plannedEpochs = plannedEpochs
            self.startedAt = startedAt
            self.leaseExpiresAt = leaseExpiresAt
            self.estimatedCost = estimatedCost
        }
    }

    public struct FinishedTrial: Sendable, Equatable {
        public var trialID: String
        public var status: TrialStatus
        public var estimatedCost: Double?
        /// Training seconds the worker reported.
        public var trainingSeconds: Double?
        /// Wall time of the attempt that produced the result (start to result), if known.
        public var wallSeconds: Double?

        public init(trialID: String, status: TrialStatus, estimatedCost: Double?, trainingSeconds: Double?,
                    wallSeconds: Double?) {
            self.trialID = trialID
            self.status = status
            self.estimatedCost = estimatedCost
            self.trainingSeconds = trainingSeconds
            self.wallSeconds = wallSeconds
        }
    }
}
