import CZeroMQ

extension Socket {
    /// Sends one part. Returns false if it would block (`dontWait`, full queue, or send timeout).
    /// Inlinable: the small-message hot path costs no more than `zmq_send` itself.
    @inlinable @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, more: Bool = false, dontWait: Bool = false) throws(ZMQError) -> Bool {
        let flags = (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0)
        return try retrying("zmq_send") { zmq_send(handle, bytes.baseAddress, bytes.count, flags) } != nil
    }

    /// Sends one part (copied once, into libzmq's message).
    @discardableResult
    public func send(_ bytes: [UInt8], more: Bool = false, dontWait: Bool = false) throws(ZMQError) -> Bool {
        // Array.withUnsafeBytes is untyped-rethrows: carry the typed error out in a Result.
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(ZMQError) -> Bool in try send(buffer, more: more, dontWait: dontWait) }
        }
        return try result.get()
    }

    /// Sends a multipart message atomically. Returns false if the first part would block
    /// (then nothing was sent); libzmq queues the remaining parts with the first.
    @discardableResult
    public func send(_ parts: [[UInt8]], dontWait: Bool = false) throws(ZMQError) -> Bool {
        for (index, part) in parts.enumerated() {
            let more = index < parts.count - 1
            guard try send(part, more: more, dontWait: dontWait) else {
                if index == 0 { return false }
                throw ZMQError(operation: "zmq_send(part \(index))", code: ZMQErrorCode.again)
            }
        }
        return true
    }

    /// Sends frames without copying their content (libzmq shares it); the frames stay usable.
    @discardableResult
    public func send(_ frames: [Frame], dontWait: Bool = false) throws(ZMQError) -> Bool {
        for (index, frame) in frames.enumerated() {
            let more = index < frames.count - 1
            let flags = (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0)
            zmq_msg_close(scratchSend)
            zmq_msg_init(scratchSend)
            frame.share(into: scratchSend)
            let sent = try retrying("zmq_msg_send(part \(index))") { zmq_msg_send(scratchSend, handle, flags) } != nil
            if !sent {
                zmq_msg_close(scratchSend)
                zmq_msg_init(scratchSend)
                if index == 0 { return false }
                throw ZMQError(operation: "zmq_msg_send(part \(index))", code: ZMQErrorCode.again)
            }
        }
        return true
    }

    /// Sends a single frame.
    @discardableResult
    public func send(_ frame: Frame, more: Bool = false, dontWait: Bool = false) throws(ZMQError) -> Bool {
        let flags = (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0)
        zmq_msg_close(scratchSend)
        zmq_msg_init(scratchSend)
        frame.share(into: scratchSend)
        return try retrying("zmq_msg_send") { zmq_msg_send(scratchSend, handle, flags) } != nil
    }
}
