import CZeroMQ
import Foundation

/// One message part, backed by a `zmq_msg_t` at a stable heap address.
///
/// Received frames expose libzmq's buffer without copying (`withUnsafeBytes`); `bytes` copies.
/// Frames built with `init(count:initializingWith:)` or `init(taking:deallocator:)` are filled in
/// place or adopted, so large payloads are never copied on the way out. Sending a frame does not
/// consume it (libzmq shares the buffer by reference count), so one frame can go to many peers.
/// Immutable once built, hence Sendable; the lock guards libzmq's non-atomic first share.
public final class Frame: @unchecked Sendable {
    let message: UnsafeMutablePointer<zmq_msg_t>
    private let shareLock = NSLock()

    /// An empty message for `zmq_msg_recv` to fill.
    init() {
        message = .allocate(capacity: 1)
        zmq_msg_init(message)
    }

    /// A frame of `count` bytes written in place by `body` (no intermediate buffer).
    public init(count: Int, initializingWith body: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        message = .allocate(capacity: 1)
        guard zmq_msg_init_size(message, count) == 0 else {
            fatalError("zmq_msg_init_size(\(count)): \(ZMQError.last("zmq_msg_init_size").message)")
        }
        do {
            try body(UnsafeMutableRawBufferPointer(start: zmq_msg_data(message), count: count))
        } catch {
            zmq_msg_close(message)
            message.deallocate()
            throw error
        }
    }

    /// A frame holding a copy of `bytes` (the one copy a send needs anyway).
    public convenience init<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        self.init(count: bytes.count) { buffer in _ = buffer.initializeMemory(as: UInt8.self, from: bytes) }
    }

    /// A frame holding the UTF-8 bytes of `string`.
    public convenience init(string: String) { self.init(Array(string.utf8)) }

    /// Adopts `buffer` without copying; `deallocator` runs (on a libzmq thread) once libzmq and
    /// every copy of this frame are done with it.
    public init(taking buffer: UnsafeMutableRawBufferPointer,
                deallocator: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void) {
        message = .allocate(capacity: 1)
        let box = Unmanaged.passRetained(DeallocatorBox(buffer: buffer, deallocator: deallocator))
        let rc = zmq_msg_init_data(message, buffer.baseAddress, buffer.count, { _, hint in
            guard let hint else { return }
            let box = Unmanaged<DeallocatorBox>.fromOpaque(hint).takeRetainedValue()
            box.deallocator(box.buffer)
        }, box.toOpaque())
        if rc != 0 {
            box.release()
            fatalError("zmq_msg_init_data: \(ZMQError.last("zmq_msg_init_data").message)")
        }
    }

    deinit {
        zmq_msg_close(message)
        message.deallocate()
    }

    /// Number of bytes.
    public var count: Int { zmq_msg_size(message) }

    /// The bytes in libzmq's buffer, valid only inside `body`.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message)))
    }

    /// A copy of the bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// A copy of the bytes as `Data`.
    public var data: Data { withUnsafeBytes { Data($0) } }

    /// The bytes as UTF-8 text, or nil if they are not valid UTF-8.
    public var string: String? {
        withUnsafeBytes { String(validating: $0.bindMemory(to: UInt8.self), as: UTF8.self) }
    }

    /// Makes `target` (an initialised empty message) share this frame's content, for sending.
    func share(into target: UnsafeMutablePointer<zmq_msg_t>) {
        shareLock.lock()
        zmq_msg_copy(target, message)
        shareLock.unlock()
    }
}

private final class DeallocatorBox {
    let buffer: UnsafeMutableRawBufferPointer
    let deallocator: @Sendable (UnsafeMutableRawBufferPointer) -> Void
    init(buffer: UnsafeMutableRawBufferPointer, deallocator: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void) {
        self.buffer = buffer
        self.deallocator = deallocator
    }
}
