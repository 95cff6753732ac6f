import CZeroMQ
import Foundation

/// A libzmq context. Thread-safe: share it freely; create each `Socket` on the thread that uses it.
///
/// Every socket holds a strong reference to its context, so the context outlives its sockets.
/// `terminate()` never hangs on open sockets: it shuts the context down (blocking calls on every
/// socket return `ETERM`) and calls `zmq_ctx_term` as soon as the last socket is closed, which then
/// waits at most for the sockets' bounded `LINGER`.
public final class Context: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var openSockets = 0
    private var isShutdownRequested = false
    private var isTerminated = false

    /// - Parameter ioThreads: libzmq I/O threads (1 is plenty below ~1 GB/s).
    public init(ioThreads: Int32 = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        if zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) != 0 {
            let error = ZMQError.last("zmq_ctx_set(ZMQ_IO_THREADS, \(ioThreads))")
            zmq_ctx_term(handle)
            throw error
        }
        self.handle = handle
    }

    deinit {
        // Sockets keep the context alive, so none is open here.
        terminateNow()
    }

    /// libzmq's version, e.g. (4, 3, 4).
    public static var version: (major: Int32, minor: Int32, patch: Int32) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (major, minor, patch)
    }

    /// Whether libzmq was built with a capability, e.g. `"curve"`, `"ipc"`.
    public static func has(_ capability: String) -> Bool { zmq_has(capability) != 0 }

    /// Makes every blocking call on this context's sockets return `ETERM`; new sockets fail.
    /// Idempotent. Owners then close their sockets.
    public func shutdown() {
        lock.lock()
        let first = !isShutdownRequested
        isShutdownRequested = true
        lock.unlock()
        if first { zmq_ctx_shutdown(handle) }
    }

    /// Shuts down, then terminates the context once its last socket is closed (now, if none is).
    /// Returns promptly: it never waits for sockets other threads still hold.
    public func terminate() {
        shutdown()
        lock.lock()
        let ready = openSockets == 0
        lock.unlock()
        if ready { terminateNow() }
    }

    /// True once `shutdown()` or `terminate()` was called.
    public var isShutDown: Bool {
        lock.lock(); defer { lock.unlock() }
        return isShutdownRequested
    }

    func socketOpened() throws(ZMQError) {
        lock.lock(); defer { lock.unlock() }
        if isShutdownRequested {
            throw ZMQError(operation: "zmq_socket", code: ZMQErrorCode.terminated)
        }
        openSockets += 1
    }

    func socketClosed() {
        lock.lock()
        openSockets -= 1
        let ready = openSockets == 0 && isShutdownRequested
        lock.unlock()
        if ready { terminateNow() }
    }

    private func terminateNow() {
        lock.lock()
        let first = !isTerminated
        isTerminated = true
        isShutdownRequested = true
        lock.unlock()
        guard first else { return }
        while zmq_ctx_term(handle) != 0 && zmq_errno() == ZMQErrorCode.interrupted {}
    }
}
