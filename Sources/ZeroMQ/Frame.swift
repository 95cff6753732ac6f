import CZeroMQ
import Foundation

/// One message part, backed by a `zmq_msg_t` at a stable heap address (tail-allocated in one
/// object, so a received frame costs a single allocation).
///
/// Received frames expose libzmq's buffer without copying (`withUnsafeBytes`); `bytes` copies.
/// Frames built with `init(count:initializingWith:)` or `init(taking:deallocator:)` are filled in
/// place or adopted, so large payloads are never copied on the way out. Sending a frame does not
/// consume it (libzmq shares the buffer by reference count), so one frame can go to many peers.
/// Not Sendable, like `Socket`: libzmq's first share of a buffer is not atomic, and a lock per
/// frame would cost a quarter of small-message throughput. Copy `bytes` to hand data to another thread.
public struct Frame {
    @usableFromInline var storage: FrameStorage

    @inlinable var message: UnsafeMutablePointer<zmq_msg_t> { storage.message }

    /// An empty message for `zmq_msg_recv` to fill.
    init() {
        storage = FrameStorage.make()
        zmq_msg_init(storage.message)
    }

    /// A frame of `count` bytes written in place by `body` (no intermediate buffer).
    public init(count: Int, initializingWith body: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        storage = FrameStorage.make()
        guard zmq_msg_init_size(storage.message, count) == 0 else {
            let reason = ZMQError.last("zmq_msg_init_size").message
            zmq_msg_init(storage.message)
            fatalError("zmq_msg_init_size(\(count)): \(reason)")
        }
        try body(UnsafeMutableRawBufferPointer(start: zmq_msg_data(storage.message), count: count))
    }

    /// A frame holding a copy of `bytes` (the one copy a send needs anyway).
    public init<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        self.init(count: bytes.count) { buffer in _ = buffer.initializeMemory(as: UInt8.self, from: bytes) }
    }

    /// A frame holding the UTF-8 bytes of `string`.
    public init(string: String) { self.init(Array(string.utf8)) }

    /// Adopts `buffer` without copying; `deallocator` runs (possibly on a libzmq thread) once
    /// libzmq and every copy of this frame are done with it.
    public init(taking buffer: UnsafeMutableRawBufferPointer,
                deallocator: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void) {
        storage = FrameStorage.make()
        let box = Unmanaged.passRetained(DeallocatorBox(buffer: buffer, deallocator: deallocator))
        let rc = zmq_msg_init_data(storage.message, buffer.baseAddress, buffer.count, { _, hint in
            guard let hint else { return }
            let box = Unmanaged<DeallocatorBox>.fromOpaque(hint).takeRetainedValue()
            box.deallocator(box.buffer)
        }, box.toOpaque())
        if rc != 0 {
            let reason = ZMQError.last("zmq_msg_init_data").message
            box.release()
            zmq_msg_init(storage.message)
            fatalError("zmq_msg_init_data: \(reason)")
        }
    }

    /// Number of bytes.
    @inlinable public var count: Int { zmq_msg_size(message) }

    /// The bytes in libzmq's buffer, valid only inside `body`.
    @inlinable public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result = try body(UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message)))
        withExtendedLifetime(storage) {}
        return result
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
        zmq_msg_copy(target, message)
        withExtendedLifetime(storage) {}
    }
}

/// The object owning a frame's `zmq_msg_t`, stored inline as its single tail element.
@usableFromInline final class FrameStorage: ManagedBuffer<Void, zmq_msg_t> {
    static func make() -> FrameStorage {
        unsafeDowncast(FrameStorage.create(minimumCapacity: 1) { _ in () }, to: FrameStorage.self)
    }

    /// Stable for the object's lifetime (tail-allocated elements never move).
    @inlinable var message: UnsafeMutablePointer<zmq_msg_t> { withUnsafeMutablePointerToElements { $0 } }

    deinit {
        // Every Frame initialiser leaves the message initialised before the storage can be released.
        zmq_msg_close(message)
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
