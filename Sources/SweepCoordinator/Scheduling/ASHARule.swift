import SweepCore

/// Asynchronous successive halving as Li et al. (MLSys 2020, Algorithm 2) define it, with rungs
/// at minEpochs·η^k below maxEpochs. Of the n trials that have reached a rung, only the top ⌊n/η⌋
/// may go on. A trial reaching a rung continues if it is among them; otherwise it pauses
/// (`stopped`, its rung checkpoint kept) and the worker takes new work. Paused trials are promoted
/// as more trials reach their rung and lift them into the top ⌊n/η⌋. Nobody waits for a rung to fill.
///
/// A grid is finite: once no trial can still reach a rung (`closedThrough`, from the scheduler),
/// the rung promotes its top max(1, ⌊n/η⌋), so the sweep still trains its best trial to the end.
public struct ASHARule: EarlyStoppingRule {
    public let rungs: [Int]
    public let reductionFactor: Int
    /// Every trial that reached each rung epoch, best first.
    private(set) var ladder: [Int: RungStanding] = [:]
    /// Trials paused at a rung (and not promoted since), by trial.
    private(set) var stoppedAt: [String: Int] = [:]

    public init(minEpochs: Int, maxEpochs: Int, reductionFactor: Int) {
        self.rungs = EarlyStopping.rungs(minEpochs: minEpochs, maxEpochs: maxEpochs, reductionFactor: reductionFactor)
        self.reductionFactor = max(2, reductionFactor)
    }

    public func decides(at epoch: Int) -> Bool { rungs.contains(epoch) }
    public var promotes: Bool { true }

    public mutating func reached(trialID: String, epoch: Int, valLoss: Double, closedThrough: Int) -> StoppingDecision? {
        guard decides(at: epoch) else { return nil }
        ladder[epoch, default: RungStanding()].record(trialID, loss: EarlyStoppingRules.comparable(valLoss))
        stoppedAt[trialID] = nil
        let standing = ladder[epoch] ?? RungStanding()
        let rank = standing.rank(of: trialID) ?? standing.count
        let keep = keepCount(standing.count, closed: epoch <= closedThrough)
        let where_ = "rung \(epoch): rank \(rank + 1) of \(standing.count), top \(keep) continue"
        if rank < keep { return .proceed(reason: where_) }
        stoppedAt[trialID] = epoch
        return .stop(reason: where_)
    }

    public mutating func promotions(closedThrough: Int) -> [Promotion] {
        guard !stoppedAt.isEmpty else { return [] }
        var closed = closedThrough
        var promoted: [Promotion] = []
        for rung in rungs {
            guard let standing = ladder[rung] else { continue }
            let keep = keepCount(standing.count, closed: rung <= closed)
            for (rank, trialID) in standing.best(keep).enumerated() where stoppedAt[trialID] == rung {
                stoppedAt[trialID] = nil
                promoted.append(Promotion(trialID: trialID, epoch: rung,
                                          reason: "rung \(rung): now rank \(rank + 1) of \(standing.count), top \(keep) continue"
                                              + (rung <= closed ? " (no more trials can reach it)" : "")))
                // The promoted trial will report at the rungs above: none of them is closed.
                closed = min(closed, rung)
            }
        }
        return promoted
    }

    public mutating func restore(trialID: String, valLosses: [Int: Double], stoppedAt epoch: Int?) {
        for rung in rungs {
            if let loss = valLosses[rung] {
                ladder[rung, default: RungStanding()].record(trialID, loss: EarlyStoppingRules.comparable(loss))
            }
        }
        if let epoch, decides(at: epoch), ladder[epoch]?.rank(of: trialID) != nil { stoppedAt[trialID] = epoch }
    }

    /// How many of a rung's `count` trials go on: ⌊n/η⌋, and at least one once the rung is closed.
    func keepCount(_ count: Int, closed: Bool) -> Int {
        let keep = count / reductionFactor
        return closed ? max(keep, min(count, 1)) : keep
    }
}

/// The trials at one rung sorted by val_loss (ties: the smaller trial id first), so a rank and
/// the top k cost a binary search and a prefix, not a sort of the rung per decision.
struct RungStanding: Sendable {
    private struct Entry: Sendable, Comparable {
        let loss: Double
        let trialID: String
        static func < (a: Entry, b: Entry) -> Bool { (a.loss, a.trialID) < (b.loss, b.trialID) }
    }
    private var sorted: [Entry] = []
    private var losses: [String: Double] = [:]

    var count: Int { sorted.count }

    /// Records (or re-records) a trial's val_loss at the rung.
    mutating func record(_ trialID: String, loss: Double) {
        if let old = losses[trialID] {
            let index = position(of: Entry(loss: old, trialID: trialID))
            if index < sorted.count, sorted[index].trialID == trialID { sorted.remove(at: index) }
        }
        losses[trialID] = loss
        let entry = Entry(loss: loss, trialID: trialID)
        sorted.insert(entry, at: position(of: entry))
    }

    /// 0-based rank, nil if the trial has not reached the rung.
    func rank(of trialID: String) -> Int? {
        guard let loss = losses[trialID] else { return nil }
        return position(of: Entry(loss: loss, trialID: trialID))
    }

    /// The best `k` trial ids, best first.
    func best(_ k: Int) -> [String] { sorted.prefix(max(0, k)).map(\.trialID) }

    /// The first index whose entry is not below `entry`.
    private func position(of entry: Entry) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < entry { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
