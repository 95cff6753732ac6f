import CZeroMQ

extension Socket {
    static let recycledFrameLimit = 4096

    /// Receives a whole multipart message as frames whose bytes stay in libzmq's buffers
    /// (no copy). Returns nil if nothing arrived (`dontWait`, or the receive timeout passed).
    /// Hot loops that do not keep the frames should use `receive(into: &MultipartBuffer)`.
    public func receiveFrames(dontWait: Bool = false) throws(ZMQError) -> [Frame]? {
        // Fast path: most messages are a single part. Reuse the previous small message's array
        // and frame if the caller no longer holds them (steady state: no allocation at all).
        var single: [Frame] = []
        swap(&single, &recycled)
        if single.count != 1 || !isKnownUniquelyReferenced(&single[0].storage) { single = [Frame()] }
        let first = single[0].message
        guard try retrying("zmq_msg_recv", { zmq_msg_recv(first, handle, dontWait ? ZMQ_DONTWAIT : 0) }) != nil else {
            recycled = single
            return nil
        }
        if zmq_msg_more(first) == 0 {
            // Keep only small messages: a kept frame holds its content until the next receive.
            if zmq_msg_size(first) <= Socket.recycledFrameLimit { recycled = single }
            return single
        }
        var frames = single
        while true {
            let frame = Frame()
            // Later parts of a multipart message arrive together with the first: never wait for them.
            guard try retrying("zmq_msg_recv", { zmq_msg_recv(frame.message, handle, ZMQ_DONTWAIT) }) != nil else {
                throw ZMQError(operation: "zmq_msg_recv(part \(frames.count))", code: ZMQErrorCode.again)
            }
            frames.append(frame)
            if zmq_msg_more(frame.message) == 0 { return frames }
        }
    }

    /// Receives a whole multipart message into `buffer`, replacing its previous content (no
    /// allocation once the buffer is large enough, no copy, no reference counting: the hot path,
    /// inlinable so a caller's loop pays no more than the libzmq calls).
    /// Returns false (and `buffer.count == 0`) if nothing arrived.
    @inlinable @inline(__always)
    public func receive(into buffer: inout MultipartBuffer, dontWait: Bool = false) throws(ZMQError) -> Bool {
        buffer._count = 0
        var part = buffer.message(at: 0)
        let flags = dontWait ? ZMQ_DONTWAIT : 0
        guard let rc = try retrying("zmq_msg_recv", { zmq_msg_recv(part, handle, flags) }) else { return false }
        buffer.received(part: 0, rc: rc)
        while zmq_msg_more(part) != 0 {
            let index = buffer.count
            part = buffer.message(at: index)
            // Later parts arrive together with the first: never wait for them.
            guard let rc = try retrying("zmq_msg_recv", { zmq_msg_recv(part, handle, ZMQ_DONTWAIT) }) else {
                throw ZMQError(operation: "zmq_msg_recv(part \(index))", code: ZMQErrorCode.again)
            }
            buffer.received(part: index, rc: rc)
        }
        return true
    }

    /// Receives a whole multipart message, copying each part into a byte array.
    /// Returns nil if nothing arrived (`dontWait`, or the receive timeout passed).
    public func receive(dontWait: Bool = false) throws(ZMQError) -> [[UInt8]]? {
        var parts: [[UInt8]] = []
        while true {
            let flags = (dontWait || !parts.isEmpty) ? ZMQ_DONTWAIT : 0
            let message = scratchReceive
            guard let size = try retrying("zmq_msg_recv", { zmq_msg_recv(message, handle, flags) }) else {
                if parts.isEmpty { return nil }
                throw ZMQError(operation: "zmq_msg_recv(part \(parts.count))", code: ZMQErrorCode.again)
            }
            let bytes = UnsafeRawBufferPointer(start: zmq_msg_data(message), count: Int(size))
            parts.append(Array(bytes))
            let more = zmq_msg_more(message) != 0
            if !more { return parts }
        }
    }

    /// Receives a whole multipart message, copying its parts only while the message stays within
    /// `maxParts` parts and `maxBytes` bytes in all; the parts of a larger one are received and
    /// dropped uncopied. For untrusted peers: a flood of frames costs them, not this process.
    /// Returns nil if nothing arrived.
    public func receive(dontWait: Bool = false, maxParts: Int, maxBytes: Int) throws(ZMQError) -> BoundedMessage? {
        try boundedReceive(dontWait: dontWait, maxParts: maxParts, maxBytes: maxBytes, readUserID: false)?.message
    }

    /// As `receive(dontWait:maxParts:maxBytes:)`, together with the message's ZAP User-Id
    /// (`zmq_msg_gets(..., "User-Id")`): what the ZAP handler answered for the connection the
    /// message came in on, so the caller can tell which authenticated key sent it. Nil when the
    /// connection was not authenticated through ZAP (or the handler gave an empty User-Id).
    public func receiveAuthenticated(dontWait: Bool = false, maxParts: Int, maxBytes: Int) throws(ZMQError) -> AuthenticatedMessage? {
        try boundedReceive(dontWait: dontWait, maxParts: maxParts, maxBytes: maxBytes, readUserID: true)
            .map { AuthenticatedMessage(message: $0.message, userID: $0.userID) }
    }

    private func boundedReceive(dontWait: Bool, maxParts: Int, maxBytes: Int,
                                readUserID: Bool) throws(ZMQError) -> (message: BoundedMessage, userID: String?)? {
        var parts: [[UInt8]] = []
        var count = 0
        var total = 0
        var withinBounds = true
        var userID: String?
        while true {
            let flags = (dontWait || count > 0) ? ZMQ_DONTWAIT : 0
            let message = scratchReceive
            guard let size = try retrying("zmq_msg_recv", { zmq_msg_recv(message, handle, flags) }) else {
                if count == 0 { return nil }
                throw ZMQError(operation: "zmq_msg_recv(part \(count))", code: ZMQErrorCode.again)
            }
            count += 1
            total += Int(size)
            // Every part of a message carries its connection's metadata; read it while the part is
            // still in the scratch message (the next receive replaces it).
            if readUserID, userID == nil, let value = zmq_msg_gets(message, "User-Id") {
                let text = String(cString: value)
                if !text.isEmpty { userID = text }
            }
            if withinBounds, count <= maxParts, total <= maxBytes {
                parts.append(Array(UnsafeRawBufferPointer(start: zmq_msg_data(message), count: Int(size))))
            } else if withinBounds {
                withinBounds = false
                parts = []
            }
            if zmq_msg_more(message) == 0 {
                return (withinBounds ? .message(parts) : .tooLarge(parts: count, bytes: total), userID)
            }
        }
    }

    /// Receives one part into `buffer` (truncating, as `zmq_recv` does). Returns the part's full
    /// size and whether more parts follow, or nil if nothing arrived.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, dontWait: Bool = false) throws(ZMQError) -> (size: Int, more: Bool)? {
        let flags = dontWait ? ZMQ_DONTWAIT : 0
        guard let size = try retrying("zmq_recv", { zmq_recv(handle, buffer.baseAddress, buffer.count, flags) }) else {
            return nil
        }
        return (Int(size), try hasMoreParts())
    }

    /// True if the last received part has more parts following it (`ZMQ_RCVMORE`).
    public func hasMoreParts() throws(ZMQError) -> Bool {
        try int32Option(ZMQ_RCVMORE) != 0
    }
}

/// What `receive(dontWait:maxParts:maxBytes:)` got.
public enum BoundedMessage: Sendable, Equatable {
    case message([[UInt8]])
    /// A message past the bounds, dropped: how many parts and bytes it had.
    case tooLarge(parts: Int, bytes: Int)
}

/// What `receiveAuthenticated(dontWait:maxParts:maxBytes:)` got: the message and the ZAP User-Id
/// of the connection it arrived on.
public struct AuthenticatedMessage: Sendable, Equatable {
    public let message: BoundedMessage
    public let userID: String?
    public init(message: BoundedMessage, userID: String?) { self.message = message; self.userID = userID }
}
