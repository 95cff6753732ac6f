import SweepProtocol
import ZeroMQ

/// A ZeroMQ ROUTER or DEALER socket as the services' transport. A router's received messages carry
/// the ZAP User-Id of their connection, so CURVE key bindings see which key sent them.
public final class ZeroMQSocketTransport: MessageTransport {
    public let socket: Socket
    private let readsUserID: Bool

    /// `readsUserID`: whether to read each message's ZAP User-Id (routers that authenticate peers).
    public init(socket: Socket, readsUserID: Bool) {
        self.socket = socket
        self.readsUserID = readsUserID
    }

    public func send(_ frames: [[UInt8]]) throws(TransportSendError) {
        let sent: Bool
        do {
            sent = try socket.send(frames, dontWait: true)
        } catch where error.code == ZMQErrorCode.hostUnreachable {
            throw .unreachable
        } catch where error.code == ZMQErrorCode.again {
            throw .wouldBlock
        } catch {
            throw .failed("\(error)")
        }
        // The peer's queue is full (it is not reading, or not keeping up): nothing was sent.
        guard sent else { throw .wouldBlock }
    }

    public func receive(maxParts: Int, maxBytes: Int) throws(TransportReceiveError) -> ReceivedFrames? {
        do {
            if readsUserID {
                guard let received = try socket.receiveAuthenticated(dontWait: true, maxParts: maxParts, maxBytes: maxBytes) else {
                    return nil
                }
                return ReceivedFrames(Self.bounded(received.message), peerKey: received.userID)
            }
            return try socket.receive(dontWait: true, maxParts: maxParts, maxBytes: maxBytes).map { ReceivedFrames(Self.bounded($0)) }
        } catch {
            throw TransportReceiveError("\(error)")
        }
    }

    public func wait(timeout: Double, fileDescriptors: [Int32]) throws(TransportReceiveError) -> Readiness {
        let poller = Poller()
        let socketIndex = poller.register(socket, for: .readable)
        let indices = fileDescriptors.map { poller.register(fileDescriptor: $0, for: .readable) }
        do { try poller.poll(timeout: timeout) } catch { throw TransportReceiveError("\(error)") }
        let ready = zip(fileDescriptors, indices).filter { poller.isReadable($0.1) }.map(\.0)
        return Readiness(messages: poller.isReadable(socketIndex), fileDescriptors: Set(ready))
    }

    public func close() { socket.close() }

    private static func bounded(_ message: BoundedMessage) -> BoundedFrames {
        switch message {
        case .message(let frames): .message(frames)
        case .tooLarge(let parts, let bytes): .tooLarge(parts: parts, bytes: bytes)
        }
    }
}
