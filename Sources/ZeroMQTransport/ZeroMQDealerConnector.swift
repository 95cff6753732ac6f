import SweepProtocol
import ZeroMQ

/// Connects DEALER sockets to one endpoint (with CURVE when given keys), all in one context.
public final class ZeroMQDealerConnector: DealerConnector {
    public struct CurveKeys: Sendable {
        public var serverPublicKey: String
        public var publicKey: String
        public var secretKey: String
        public init(serverPublicKey: String, publicKey: String, secretKey: String) {
            self.serverPublicKey = serverPublicKey
            self.publicKey = publicKey
            self.secretKey = secretKey
        }
    }

    private let context: Context
    private let endpoint: String
    private let curve: CurveKeys?

    public init(endpoint: String, curve: CurveKeys?) throws {
        self.context = try Context()
        self.endpoint = endpoint
        self.curve = curve
    }

    public func connect(identity: [UInt8]) throws -> any MessageTransport {
        // libzmq reconnects on its own too; the worker's own backoff replaces the socket only
        // when the coordinator has been silent too long.
        var options: [SocketOption] = [.identity(identity), .linger(milliseconds: 500),
                                       .reconnectInterval(milliseconds: 1000),
                                       .reconnectIntervalMax(milliseconds: 32_000), .immediate(false)]
        if let curve {
            options.append(.curveClient(serverPublicKey: curve.serverPublicKey, publicKey: curve.publicKey, secretKey: curve.secretKey))
        }
        let socket = try Socket(context, .dealer, options: options)
        do { try socket.connect(endpoint) } catch {
            socket.close()
            throw error
        }
        return ZeroMQSocketTransport(socket: socket, readsUserID: false)
    }

    public func terminate() { context.terminate() }
}
