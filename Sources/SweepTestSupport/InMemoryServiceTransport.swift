import Foundation
import SweepProtocol
import SystemSupport

/// The in-memory network's ends as the services' `MessageTransport`, so a `CoordinatorService` and
/// `WorkerService`s speak to each other in one process with no sockets.
public final class InMemoryRouterTransport: MessageTransport, @unchecked Sendable {
    private let router: InMemoryRouter
    private let network: InMemoryNetwork

    public init(network: InMemoryNetwork) {
        self.network = network
        self.router = network.router()
    }

    public func send(_ frames: [[UInt8]]) throws(TransportSendError) {
        do { try router.send(frames) } catch { throw .unreachable }
    }

    public func receive(maxParts: Int, maxBytes: Int) throws(TransportReceiveError) -> ReceivedFrames? {
        router.receive().map { routed in
            ReceivedFrames(bounded(routed, maxParts: maxParts, maxBytes: maxBytes), peerKey: routed.first.flatMap(network.key(of:)))
        }
    }

    public func wait(timeout: Double, fileDescriptors: [Int32]) throws(TransportReceiveError) -> Readiness {
        waitForMessageOrDescriptor(network: network, timeout: timeout, fileDescriptors: fileDescriptors) { network.routerHasMessage() }
    }

    public func close() {}
}

/// A worker's ends: each connect joins the network under the identity asked for (authenticated as
/// `key`, if given); closing one leaves the network, so the router can no longer reach that
/// identity (as with a closed socket).
public final class InMemoryDealerConnector: DealerConnector, @unchecked Sendable {
    private let network: InMemoryNetwork
    private let key: String?
    private let lock = NSLock()
    private var identities: [[UInt8]] = []

    public init(network: InMemoryNetwork, key: String? = nil) {
        self.network = network
        self.key = key
    }

    /// The identities connected so far, oldest first (one per reconnect).
    public var connectedIdentities: [[UInt8]] { lock.lock(); defer { lock.unlock() }; return identities }

    public func connect(identity: [UInt8]) throws -> any MessageTransport {
        lock.lock(); identities.append(identity); lock.unlock()
        return InMemoryDealerTransport(dealer: network.connect(identity: identity, key: key), network: network)
    }

    public func terminate() {}
}

final class InMemoryDealerTransport: MessageTransport {
    private let dealer: InMemoryDealer
    private let network: InMemoryNetwork
    private var closed = false

    init(dealer: InMemoryDealer, network: InMemoryNetwork) {
        self.dealer = dealer
        self.network = network
    }

    func send(_ frames: [[UInt8]]) throws(TransportSendError) {
        guard !closed else { throw .failed("closed") }
        do { try dealer.send(frames) } catch { throw .failed("\(error)") }
    }

    func receive(maxParts: Int, maxBytes: Int) throws(TransportReceiveError) -> ReceivedFrames? {
        guard !closed else { return nil }
        return dealer.receive().map { ReceivedFrames(bounded($0, maxParts: maxParts, maxBytes: maxBytes)) }
    }

    func wait(timeout: Double, fileDescriptors: [Int32]) throws(TransportReceiveError) -> Readiness {
        waitForMessageOrDescriptor(network: network, timeout: timeout, fileDescriptors: fileDescriptors) { [dealer, network] in
            network.dealerHasMessage(dealer.identity)
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        network.disconnect(identity: dealer.identity)
    }
}

/// A message within the receiver's bounds, or only its size (as the ZeroMQ end reports it).
private func bounded(_ frames: [[UInt8]], maxParts: Int, maxBytes: Int) -> BoundedFrames {
    let bytes = frames.reduce(0) { $0 + $1.count }
    return frames.count <= maxParts && bytes <= maxBytes ? .message(frames) : .tooLarge(parts: frames.count, bytes: bytes)
}

/// Waits for a queued message or a readable descriptor, looking at both every millisecond: the
/// network cannot wake a poll(2), and the descriptors (wake-up pipes) cannot wake the network.
private func waitForMessageOrDescriptor(network: InMemoryNetwork, timeout: Double, fileDescriptors: [Int32],
                                        hasMessage: () -> Bool) -> Readiness {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        let readable = FileDescriptorWait.readable(fileDescriptors, timeout: 0)
        let messages = hasMessage()
        let remaining = deadline.timeIntervalSinceNow
        if messages || !readable.isEmpty || remaining <= 0 { return Readiness(messages: messages, fileDescriptors: readable) }
        network.waitForDelivery(timeout: min(remaining, 0.001))
    }
}
