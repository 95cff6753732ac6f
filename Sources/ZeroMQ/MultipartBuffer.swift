import CZeroMQ

/// A caller-owned, reusable receive target for whole multipart messages: its `zmq_msg_t`s live in
/// one heap block at stable addresses and are refilled by each `Socket.receive(into:)`.
///
/// This is the allocation-free, reference-count-free receive path for hot small-message loops
/// (`receiveFrames()` returns a fresh `[Frame]` the caller may keep; this does not). Bytes stay in
/// libzmq's buffers (no copy) and are valid until the next receive into the same buffer.
/// Non-copyable, so exactly one owner closes the messages; not Sendable, like `Socket`.
public struct MultipartBuffer: ~Copyable {
    @usableFromInline var messages: UnsafeMutablePointer<zmq_msg_t>
    /// Each part's size as `zmq_msg_recv` returned it, so reading a part needs no `zmq_msg_size`.
    @usableFromInline var sizes: UnsafeMutablePointer<Int>
    @usableFromInline var capacity: Int
    /// Parts of the last message received (0 before the first receive or after a would-block).
    public var count: Int { _count }
    @usableFromInline var _count = 0

    /// A buffer with room for `capacity` parts before it grows (it grows by doubling when a longer
    /// message arrives, then stays that size).
    public init(capacity: Int = 4) {
        self.capacity = max(1, capacity)
        messages = .allocate(capacity: self.capacity)
        sizes = .allocate(capacity: self.capacity)
        for index in 0..<self.capacity { zmq_msg_init(messages + index) }
    }

    deinit {
        for index in 0..<capacity { zmq_msg_close(messages + index) }
        messages.deallocate()
        sizes.deallocate()
    }

    /// Records that part `index` (the next one) arrived with `rc` from `zmq_msg_recv`.
    @inlinable mutating func received(part index: Int, rc: Int32) {
        // zmq_msg_recv clamps sizes above Int32.max; only then ask for the real one.
        sizes[index] = rc == Int32.max ? zmq_msg_size(messages + index) : Int(rc)
        _count = index + 1
    }

    /// The `zmq_msg_t` for part `index`, growing the buffer if needed (receive side only).
    @inlinable mutating func message(at index: Int) -> UnsafeMutablePointer<zmq_msg_t> {
        if index >= capacity { grow(toAtLeast: index + 1) }
        return messages + index
    }

    @usableFromInline mutating func grow(toAtLeast needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let moved = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: newCapacity)
        for index in 0..<newCapacity { zmq_msg_init(moved + index) }
        // zmq_msg_t may not be memcpy'd: move each through libzmq.
        for index in 0..<capacity {
            zmq_msg_move(moved + index, messages + index)
            zmq_msg_close(messages + index)
        }
        messages.deallocate()
        messages = moved
        let movedSizes = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
        movedSizes.update(from: sizes, count: capacity)
        sizes.deallocate()
        sizes = movedSizes
        capacity = newCapacity
    }

    /// Number of bytes in part `index`.
    @inlinable public func size(ofPart index: Int) -> Int {
        precondition(index >= 0 && index < count, "part \(index) of a \(count)-part message")
        return sizes[index]
    }

    /// The bytes of part `index` in libzmq's buffer, valid only inside `body`.
    @inlinable public func withUnsafeBytes<R, E: Error>(ofPart index: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        precondition(index >= 0 && index < count, "part \(index) of a \(count)-part message")
        return try body(UnsafeRawBufferPointer(start: zmq_msg_data(messages + index), count: sizes[index]))
    }

    /// A copy of part `index`.
    public func bytes(ofPart index: Int) -> [UInt8] { withUnsafeBytes(ofPart: index) { Array($0) } }

    /// Copies of every part (for handing the message to code that keeps it).
    public var parts: [[UInt8]] { (0..<count).map { bytes(ofPart: $0) } }
}
