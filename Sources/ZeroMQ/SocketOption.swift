import CZeroMQ

/// Socket options the wrapper supports. Times are milliseconds; -1 means "forever" where libzmq
/// allows it. CURVE keys are 40-character Z85 strings (see `CurveKeyPair`).
public enum SocketOption: Sendable, Hashable {
    /// Routing id this socket presents to a ROUTER peer (1...255 bytes, set before connect).
    case identity([UInt8])
    /// How long `close` keeps unsent messages (the wrapper's default is bounded, 500 ms).
    case linger(milliseconds: Int32)
    case sendTimeout(milliseconds: Int32)
    case receiveTimeout(milliseconds: Int32)
    case sendHighWaterMark(Int32)
    case receiveHighWaterMark(Int32)
    /// ROUTER: fail with `EHOSTUNREACH` instead of dropping messages to unknown identities.
    case routerMandatory(Bool)
    /// Largest inbound message accepted; larger ones drop the connection. -1 = unlimited.
    case maxMessageSize(Int64)
    case reconnectInterval(milliseconds: Int32)
    /// Upper bound of libzmq's exponential reconnect backoff (0 = no backoff).
    case reconnectIntervalMax(milliseconds: Int32)
    /// Makes this socket a CURVE server with the given secret key.
    case curveServer(secretKey: String)
    /// Makes this socket a CURVE client of the server with `serverPublicKey`.
    case curveClient(serverPublicKey: String, publicKey: String, secretKey: String)
    /// ZAP domain for authentication requests from this socket.
    case zapDomain(String)
    /// SUB: subscribe to a prefix (empty = everything).
    case subscribe([UInt8])
    /// Queue messages only to completed connections.
    case immediate(Bool)
}

extension Socket {
    /// Sets one option.
    public func set(_ option: SocketOption) throws(ZMQError) {
        switch option {
        case .identity(let id): try setBytes(ZMQ_ROUTING_ID, id, "identity")
        case .linger(let ms): try setInt32(ZMQ_LINGER, ms, "linger")
        case .sendTimeout(let ms): try setInt32(ZMQ_SNDTIMEO, ms, "sendTimeout")
        case .receiveTimeout(let ms): try setInt32(ZMQ_RCVTIMEO, ms, "receiveTimeout")
        case .sendHighWaterMark(let n): try setInt32(ZMQ_SNDHWM, n, "sendHighWaterMark")
        case .receiveHighWaterMark(let n): try setInt32(ZMQ_RCVHWM, n, "receiveHighWaterMark")
        case .routerMandatory(let on): try setInt32(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, "routerMandatory")
        case .maxMessageSize(let n):
            var value = n
            try setRaw(ZMQ_MAXMSGSIZE, &value, MemoryLayout<Int64>.size, "maxMessageSize(\(n))")
        case .reconnectInterval(let ms): try setInt32(ZMQ_RECONNECT_IVL, ms, "reconnectInterval")
        case .reconnectIntervalMax(let ms): try setInt32(ZMQ_RECONNECT_IVL_MAX, ms, "reconnectIntervalMax")
        case .curveServer(let secretKey):
            try setInt32(ZMQ_CURVE_SERVER, 1, "curveServer")
            try setKey(ZMQ_CURVE_SECRETKEY, secretKey, "curveServer(secretKey)")
        case .curveClient(let serverPublicKey, let publicKey, let secretKey):
            try setKey(ZMQ_CURVE_SERVERKEY, serverPublicKey, "curveClient(serverPublicKey)")
            try setKey(ZMQ_CURVE_PUBLICKEY, publicKey, "curveClient(publicKey)")
            try setKey(ZMQ_CURVE_SECRETKEY, secretKey, "curveClient(secretKey)")
        case .zapDomain(let domain): try setBytes(ZMQ_ZAP_DOMAIN, Array(domain.utf8), "zapDomain")
        case .subscribe(let prefix): try setBytes(ZMQ_SUBSCRIBE, prefix, "subscribe")
        case .immediate(let on): try setInt32(ZMQ_IMMEDIATE, on ? 1 : 0, "immediate")
        }
    }

    /// The endpoint last bound or connected, with the real port after binding `tcp://host:*`.
    public func lastEndpoint() throws(ZMQError) -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        let rc = buffer.withUnsafeMutableBytes { zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, $0.baseAddress, &size) }
        guard rc == 0 else { throw ZMQError.last("zmq_getsockopt(ZMQ_LAST_ENDPOINT)") }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The current value of an integer option, e.g. `ZMQ_LINGER` (for diagnostics and tests).
    public func int32Option(_ name: Int32) throws(ZMQError) -> Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, name, &value, &size) == 0 else {
            throw ZMQError.last("zmq_getsockopt(\(name))")
        }
        return value
    }

    private func setInt32(_ name: Int32, _ value: Int32, _ label: String) throws(ZMQError) {
        var v = value
        try setRaw(name, &v, MemoryLayout<Int32>.size, "\(label)(\(value))")
    }

    private func setBytes(_ name: Int32, _ bytes: [UInt8], _ label: String) throws(ZMQError) {
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, name, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZMQError.last("zmq_setsockopt(\(label))") }
    }

    private func setKey(_ name: Int32, _ z85: String, _ label: String) throws(ZMQError) {
        guard z85.utf8.count == CurveKeyPair.z85KeyLength else {
            throw ZMQError(operation: "zmq_setsockopt(\(label))", code: ZMQErrorCode.invalidArgument,
                           message: "a CURVE key must be \(CurveKeyPair.z85KeyLength) Z85 characters, got \(z85.utf8.count)")
        }
        try setBytes(name, Array(z85.utf8), label)
    }

    private func setRaw(_ name: Int32, _ value: UnsafeRawPointer, _ size: Int, _ label: String) throws(ZMQError) {
        guard zmq_setsockopt(handle, name, value, size) == 0 else { throw ZMQError.last("zmq_setsockopt(\(label))") }
    }
}
