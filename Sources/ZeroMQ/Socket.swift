import CZeroMQ

/// A libzmq socket. Not thread-safe and deliberately not Sendable: create it on the thread that
/// uses it. It keeps its `Context` alive and closes itself on deinit.
///
/// New sockets get a bounded `LINGER` (`Socket.defaultLingerMilliseconds`) so that closing with
/// unsent messages never blocks context termination for long.
public final class Socket {
    /// Linger applied to every new socket (libzmq's default, -1, would block termination forever).
    public static let defaultLingerMilliseconds: Int32 = 500

    public let context: Context
    public let kind: SocketKind
    @usableFromInline let handle: UnsafeMutableRawPointer
    /// Reused heap messages for copying receives and shared sends (stable addresses).
    let scratchReceive: UnsafeMutablePointer<zmq_msg_t>
    let scratchSend: UnsafeMutablePointer<zmq_msg_t>
    public private(set) var isClosed = false
    /// The last small single-part message returned by `receiveFrames`, reused for the next one
    /// when the caller has dropped it (then nothing else can observe the reuse).
    var recycled: [Frame] = []

    /// The libzmq socket, for calls the wrapper does not cover (same thread rules apply).
    public var rawHandle: UnsafeMutableRawPointer { handle }

    public init(_ context: Context, _ kind: SocketKind) throws(ZMQError) {
        try context.socketOpened()
        guard let handle = zmq_socket(context.handle, kind.rawValue) else {
            let error = ZMQError.last("zmq_socket(\(kind))")
            context.socketClosed()
            throw error
        }
        var linger = Socket.defaultLingerMilliseconds
        zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        self.context = context
        self.kind = kind
        self.handle = handle
        scratchReceive = .allocate(capacity: 1)
        scratchSend = .allocate(capacity: 1)
        zmq_msg_init(scratchReceive)
        zmq_msg_init(scratchSend)
    }

    /// Creates a socket and sets `options` in order.
    public convenience init(_ context: Context, _ kind: SocketKind, options: [SocketOption]) throws(ZMQError) {
        try self.init(context, kind)
        for option in options { try set(option) }
    }

    deinit {
        close()
        zmq_msg_close(scratchReceive)
        zmq_msg_close(scratchSend)
        scratchReceive.deallocate()
        scratchSend.deallocate()
    }

    /// Closes the socket (idempotent). Unsent messages linger at most the socket's `LINGER`.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        zmq_close(handle)
        context.socketClosed()
    }

    public func bind(_ endpoint: String) throws(ZMQError) {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("zmq_bind(\(endpoint))") }
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_connect(\(endpoint))") }
    }

    public func unbind(_ endpoint: String) throws(ZMQError) {
        guard zmq_unbind(handle, endpoint) == 0 else { throw ZMQError.last("zmq_unbind(\(endpoint))") }
    }

    public func disconnect(_ endpoint: String) throws(ZMQError) {
        guard zmq_disconnect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_disconnect(\(endpoint))") }
    }

    /// Retries `call` on EINTR. Returns nil on EAGAIN (would block / timed out), throws otherwise.
    @inlinable @inline(__always)
    func retrying(_ operation: @autoclosure () -> String, _ call: () -> Int32) throws(ZMQError) -> Int32? {
        while true {
            let rc = call()
            if rc >= 0 { return rc }
            let code = zmq_errno()
            if code == ZMQErrorCode.interrupted { continue }
            if code == ZMQErrorCode.again { return nil }
            throw ZMQError(operation: operation(), code: code)
        }
    }
}
