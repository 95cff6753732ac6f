/// A received message, bounded by the receiver before anything was copied: its frames, or only its
/// size when it had more parts or bytes than the receiver accepts.
public enum BoundedFrames: Sendable, Equatable {
    case message([[UInt8]])
    case tooLarge(parts: Int, bytes: Int)
}

/// A received message and the authenticated key of the connection it came in on (nil when the
/// transport authenticates nobody).
public struct ReceivedFrames: Sendable, Equatable {
    public var frames: BoundedFrames
    public var peerKey: String?

    public init(_ frames: BoundedFrames, peerKey: String? = nil) {
        self.frames = frames
        self.peerKey = peerKey
    }
}

/// Why a message was not sent. Senders drop the message in every case: delivery is the protocol's
/// business (heartbeats, outbox resends), never the transport's.
public enum TransportSendError: Error, Sendable, Equatable {
    /// A router was asked to send to an identity that is not connected.
    case unreachable
    /// The peer's queue is full.
    case wouldBlock
    case failed(String)
}

/// What became ready while waiting.
public struct Readiness: Sendable, Equatable {
    /// A message can be received without waiting.
    public var messages: Bool
    /// The watched file descriptors that became readable.
    public var fileDescriptors: Set<Int32>

    public init(messages: Bool, fileDescriptors: Set<Int32> = []) {
        self.messages = messages
        self.fileDescriptors = fileDescriptors
    }
}

/// One end of the message transport the services speak RNS2 over: ZeroMQ in the daemons, an
/// in-memory network in tests. A router end sends and receives frames led by the peer's identity;
/// a dealer end sends and receives bare frames. Used by one thread at a time.
public protocol MessageTransport: AnyObject {
    /// Sends one message without waiting.
    func send(_ frames: [[UInt8]]) throws(TransportSendError)
    /// The next message without waiting, or nil when none is queued.
    func receive(maxParts: Int, maxBytes: Int) throws(TransportReceiveError) -> ReceivedFrames?
    /// Waits up to `timeout` seconds until a message is queued or one of `fileDescriptors` is
    /// readable (the services' wake-up pipes), and says which.
    func wait(timeout: Double, fileDescriptors: [Int32]) throws(TransportReceiveError) -> Readiness
    /// Gives the end back; later sends fail and receives find nothing.
    func close()
}

/// Receiving or waiting failed: the connection is unusable and must be replaced.
public struct TransportReceiveError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Opens a worker's connection to its coordinator under a socket identity (a fresh one for each
/// reconnect, so the coordinator can tell the connections apart).
public protocol DealerConnector: AnyObject {
    func connect(identity: [UInt8]) throws -> any MessageTransport
    /// Releases whatever the connector shares between its connections; called once, last.
    func terminate()
}
