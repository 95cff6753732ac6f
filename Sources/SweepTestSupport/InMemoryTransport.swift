import Foundation

/// Faults the in-memory network injects into each message (a frame list) it carries.
public struct FaultPlan: Sendable, Hashable {
    /// Probability a message is lost.
    public var drop: Double
    /// Probability a message is delivered twice.
    public var duplicate: Double
    /// Probability a message overtakes the one queued before it.
    public var reorder: Double
    public var seed: UInt64

    public init(drop: Double = 0, duplicate: Double = 0, reorder: Double = 0, seed: UInt64 = 1) {
        self.drop = drop; self.duplicate = duplicate; self.reorder = reorder; self.seed = seed
    }

    public static let none = FaultPlan()
}

/// Counts of injected faults.
public struct FaultCounts: Sendable, Hashable {
    public var delivered = 0
    public var dropped = 0
    public var duplicated = 0
    public var reordered = 0
}

public enum InMemoryTransportError: Error, Sendable, Hashable {
    /// The router was asked to send to an identity that is not connected (like ROUTER_MANDATORY).
    case hostUnreachable([UInt8])
    case disconnected
}

/// A ROUTER/DEALER stand-in for coordinator tests: one router, many dealers, frame lists in
/// memory, with seeded drop/duplicate/reorder faults and partitions. Thread-safe; receives poll
/// (non-blocking) or wait up to a timeout.
public final class InMemoryNetwork: @unchecked Sendable {
    private let condition = NSCondition()
    private var plan: FaultPlan
    private var random: SplitMix64
    private var routerInbox: [[[UInt8]]] = []
    private var dealerInboxes: [[UInt8]: [[[UInt8]]]] = [:]
    private var partitioned: Set<[UInt8]> = []
    /// The authenticated key each dealer connected with (CURVE's User-Id, as the router sees it).
    private var peerKeys: [[UInt8]: String] = [:]
    private var counts = FaultCounts()
    /// Targeted losses: the next `remaining` messages one way that match `matches` are dropped.
    private var dropRules: [(toDealers: Bool, remaining: Int, matches: @Sendable ([[UInt8]]) -> Bool)] = []

    public init(faults: FaultPlan = .none) {
        plan = faults
        random = SplitMix64(seed: faults.seed)
    }

    /// Changes the faults from now on.
    public func setFaults(_ faults: FaultPlan) {
        condition.lock(); plan = faults; random = SplitMix64(seed: faults.seed); condition.unlock()
    }

    public var faultCounts: FaultCounts { condition.lock(); defer { condition.unlock() }; return counts }

    /// The coordinator's end.
    public func router() -> InMemoryRouter { InMemoryRouter(network: self) }

    /// Connects a worker's end with `identity`, authenticated as `key` if given; a reconnect with
    /// the same identity keeps its inbox.
    public func connect(identity: [UInt8], key: String? = nil) -> InMemoryDealer {
        condition.lock()
        if dealerInboxes[identity] == nil { dealerInboxes[identity] = [] }
        peerKeys[identity] = key
        condition.unlock()
        return InMemoryDealer(network: self, identity: identity)
    }

    /// Cuts (or restores) a dealer's link: while cut, messages both ways are lost.
    public func setPartitioned(_ identity: [UInt8], _ cut: Bool) {
        condition.lock()
        if cut { partitioned.insert(identity) } else { partitioned.remove(identity) }
        condition.unlock()
    }

    /// Drops the next `count` messages towards the dealers (or the router) whose frames — without
    /// the routing identity — satisfy `matches`, whatever the fault plan says.
    public func dropNext(_ count: Int = 1, toDealers: Bool, where matches: @escaping @Sendable ([[UInt8]]) -> Bool) {
        condition.lock(); dropRules.append((toDealers, count, matches)); condition.unlock()
    }

    /// Whether a targeted rule takes `frames` (lock held).
    private func dropsByRule(_ frames: [[UInt8]], toDealers: Bool) -> Bool {
        guard let index = dropRules.firstIndex(where: { $0.toDealers == toDealers && $0.remaining > 0 && $0.matches(frames) }) else {
            return false
        }
        dropRules[index].remaining -= 1
        counts.dropped += 1
        return true
    }

    /// Removes a dealer as if its process died: the router can no longer reach it.
    public func disconnect(identity: [UInt8]) {
        condition.lock(); dealerInboxes[identity] = nil; condition.unlock()
    }

    func deliverToRouter(from identity: [UInt8], _ frames: [[UInt8]]) throws(InMemoryTransportError) {
        condition.lock(); defer { condition.unlock() }
        guard dealerInboxes[identity] != nil else { throw .disconnected }
        if partitioned.contains(identity) { counts.dropped += 1; return }
        if dropsByRule(frames, toDealers: false) { return }
        inject([identity] + frames, into: &routerInbox)
        condition.broadcast()
    }

    func deliverToDealer(_ routed: [[UInt8]]) throws(InMemoryTransportError) {
        condition.lock(); defer { condition.unlock() }
        guard let identity = routed.first, var inbox = dealerInboxes[identity] else {
            throw .hostUnreachable(routed.first ?? [])
        }
        if partitioned.contains(identity) { counts.dropped += 1; return }
        if dropsByRule(Array(routed.dropFirst()), toDealers: true) { return }
        inject(Array(routed.dropFirst()), into: &inbox)
        dealerInboxes[identity] = inbox
        condition.broadcast()
    }

    /// Applies the fault plan while appending `message` to `queue` (lock held).
    private func inject(_ message: [[UInt8]], into queue: inout [[[UInt8]]]) {
        if Double.random(in: 0..<1, using: &random) < plan.drop { counts.dropped += 1; return }
        let copies = Double.random(in: 0..<1, using: &random) < plan.duplicate ? 2 : 1
        if copies == 2 { counts.duplicated += 1 }
        for _ in 0..<copies {
            if !queue.isEmpty, Double.random(in: 0..<1, using: &random) < plan.reorder {
                queue.insert(message, at: queue.count - 1)
                counts.reordered += 1
            } else {
                queue.append(message)
            }
            counts.delivered += 1
        }
    }

    func takeForRouter(timeout: Double) -> [[UInt8]]? {
        take(timeout: timeout) { network in
            network.routerInbox.isEmpty ? nil : network.routerInbox.removeFirst()
        }
    }

    func takeForDealer(_ identity: [UInt8], timeout: Double) -> [[UInt8]]? {
        take(timeout: timeout) { network in
            guard var inbox = network.dealerInboxes[identity], !inbox.isEmpty else { return nil }
            let first = inbox.removeFirst()
            network.dealerInboxes[identity] = inbox
            return first
        }
    }

    /// The key the dealer with `identity` connected with.
    public func key(of identity: [UInt8]) -> String? { condition.lock(); defer { condition.unlock() }; return peerKeys[identity] }

    func routerHasMessage() -> Bool { condition.lock(); defer { condition.unlock() }; return !routerInbox.isEmpty }

    /// Messages waiting for the router to receive them.
    public var routerQueueCount: Int { condition.lock(); defer { condition.unlock() }; return routerInbox.count }

    func dealerHasMessage(_ identity: [UInt8]) -> Bool {
        condition.lock(); defer { condition.unlock() }
        return !(dealerInboxes[identity]?.isEmpty ?? true)
    }

    /// Waits up to `timeout` seconds for any delivery (or none, when `timeout` is 0).
    func waitForDelivery(timeout: Double) {
        guard timeout > 0 else { return }
        condition.lock(); _ = condition.wait(until: Date().addingTimeInterval(timeout)); condition.unlock()
    }

    /// Pops with `pop` (under the lock), waiting up to `timeout` seconds for a message.
    private func take(timeout: Double, _ pop: (InMemoryNetwork) -> [[UInt8]]?) -> [[UInt8]]? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock(); defer { condition.unlock() }
        while true {
            if let message = pop(self) { return message }
            if timeout <= 0 || !condition.wait(until: deadline) { return pop(self) }
        }
    }
}

/// The router end: receives `[identity, frames...]`, sends `[identity, frames...]`.
public struct InMemoryRouter: Sendable {
    let network: InMemoryNetwork

    /// The next message with its identity first, or nil after `timeout` seconds (0 = don't wait).
    public func receive(timeout: Double = 0) -> [[UInt8]]? { network.takeForRouter(timeout: timeout) }

    /// Sends `[identity, frames...]`; throws `hostUnreachable` for an unknown identity.
    public func send(_ routedFrames: [[UInt8]]) throws(InMemoryTransportError) {
        try network.deliverToDealer(routedFrames)
    }
}

/// A dealer end with a fixed identity.
public struct InMemoryDealer: Sendable {
    let network: InMemoryNetwork
    public let identity: [UInt8]

    public func receive(timeout: Double = 0) -> [[UInt8]]? { network.takeForDealer(identity, timeout: timeout) }

    public func send(_ frames: [[UInt8]]) throws(InMemoryTransportError) {
        try network.deliverToRouter(from: identity, frames)
    }
}
