import Foundation
import SweepProtocol
import SweepStore

extension CoordinatorService {
    /// Epoch times a previous run of this sweep recorded: a resumed trial's watchdog limit
    /// follows its real epochs, not the first-epoch estimate.
    func seedEpochTimes() {
        // One read for every trial's epochs, not one per trial.
        guard let epochsByTrial = readStore("epoch times", { try setup.store.epochsByTrial() }) else { return }
        for trial in setup.trials {
            for epoch in epochsByTrial[trial.id] ?? [] { scheduler.noteEpochSeconds(trialID: trial.id, epoch.seconds ?? 0) }
        }
    }
}

/// Bounds on the work one peer can make the coordinator do: whole-dataset sends and refusal records.
struct PeerGuards {
    /// A peer gets the dataset at most once per this many seconds; a worker asks once per
    /// connection, so more is a loop or an attack.
    static let datasetInterval = 10.0
    /// Peers remembered at most (identities are cheap to make).
    static let maxPeers = 10_000

    private var lastDatasetSent: [WorkerID: Double] = [:]
    private(set) var refusals = 0
    private var refusedPeers: Set<String> = []

    /// Whether `worker` may be sent the dataset now; if so, the send is booked.
    mutating func mayServeDataset(to worker: WorkerID, now: Double) -> Bool {
        if let last = lastDatasetSent[worker], now - last < Self.datasetInterval { return false }
        if lastDatasetSent[worker] == nil, lastDatasetSent.count >= Self.maxPeers {
            lastDatasetSent = lastDatasetSent.filter { now - $0.value < Self.datasetInterval }
            // Still full: thousands of peers asked within the interval; this one waits.
            guard lastDatasetSent.count < Self.maxPeers else { return false }
        }
        lastDatasetSent[worker] = now
        return true
    }

    /// Counts a refusal; true the first time this peer is refused (log and record only then).
    mutating func noteRefusal(peer: String) -> Bool {
        refusals += 1
        guard refusedPeers.count < Self.maxPeers else { return false }
        return refusedPeers.insert(peer).inserted
    }

    var refusedPeerCount: Int { refusedPeers.count }
}

/// CURVE refusals, counted on the ZAP handler's thread: each client key is logged once.
final class CurveRefusals: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var keys: Set<String> = []

    /// Counts one; true the first time this key is refused.
    func note(key: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        count += 1
        guard keys.count < PeerGuards.maxPeers else { return false }
        return keys.insert(key).inserted
    }

    var totals: (refusals: Int, keys: Int) {
        lock.lock(); defer { lock.unlock() }
        return (count, keys.count)
    }
}

extension CoordinatorService {
    /// An oversized message (its sender is not known: it was never copied). The first is logged,
    /// the rest only counted, so a flood of them cannot flood the log.
    func noteOversized(parts: Int, bytes: Int) {
        oversizedMessages += 1
        guard oversizedMessages == 1 else { return }
        logger.warning("dropped a message of \(parts) frames, \(bytes) bytes (limits \(Self.maxFrames) frames, \(maxMessageBytes) bytes); further ones are only counted")
    }

    /// Totals of what was only counted: refusals (each peer's first was recorded or logged already)
    /// and oversized messages.
    func recordPeerGuardTotals() {
        if oversizedMessages > 1 {
            recordEvent("dropped", "\(oversizedMessages) oversized messages dropped in this run")
        }
        let curve = curveRefusals.totals
        if peerGuards.refusals > peerGuards.refusedPeerCount {
            recordEvent("refused", "\(peerGuards.refusals) version refusals of \(peerGuards.refusedPeerCount) peers in this run")
        }
        if curve.refusals > 0 {
            recordEvent("refused", "\(curve.refusals) CURVE handshakes refused from \(curve.keys) public keys in this run")
        }
    }
}
