import CZeroMQ
import Foundation

/// Events to wait for or that occurred.
public struct PollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// `zmq_poll` over several sockets (and plain file descriptors). Like its sockets, use it on one
/// thread. Items keep their registration index; `events(at:)` reads the last poll's result.
public final class Poller {
    private var items: [zmq_pollitem_t] = []
    private var sockets: [Socket?] = []

    public init() {}

    /// Registers a socket; returns its index.
    @discardableResult
    public func register(_ socket: Socket, for events: PollEvents = .readable) -> Int {
        items.append(zmq_pollitem_t(socket: socket.handle, fd: -1, events: events.rawValue, revents: 0))
        sockets.append(socket)
        return items.count - 1
    }

    /// Registers a file descriptor (e.g. a pipe used to wake the poller); returns its index.
    @discardableResult
    public func register(fileDescriptor: Int32, for events: PollEvents = .readable) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: events.rawValue, revents: 0))
        sockets.append(nil)
        return items.count - 1
    }

    /// Changes the events an item waits for (e.g. add `.writable` only while output is queued).
    public func update(_ index: Int, events: PollEvents) { items[index].events = events.rawValue }

    public var count: Int { items.count }

    /// Waits until an item is ready or `timeout` seconds pass (nil = forever, 0 = just check).
    /// Returns the number of ready items. Retries EINTR with the remaining time.
    @discardableResult
    public func poll(timeout: Double?) throws(ZMQError) -> Int {
        let deadline = timeout.map { Date().timeIntervalSinceReferenceDate + $0 }
        while true {
            var milliseconds = -1
            if let deadline {
                milliseconds = max(0, Int(((deadline - Date().timeIntervalSinceReferenceDate) * 1000).rounded(.up)))
            }
            let count = items.count
            let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32(count), milliseconds) }
            if rc >= 0 { return Int(rc) }
            let code = zmq_errno()
            if code == ZMQErrorCode.interrupted { continue }
            throw ZMQError(operation: "zmq_poll", code: code)
        }
    }

    /// The events the last `poll` reported for item `index`.
    public func events(at index: Int) -> PollEvents { PollEvents(rawValue: items[index].revents) }

    public func isReadable(_ index: Int) -> Bool { events(at: index).contains(.readable) }
    public func isWritable(_ index: Int) -> Bool { events(at: index).contains(.writable) }
}
