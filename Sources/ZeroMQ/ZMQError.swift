import CZeroMQ

/// A failed libzmq call: the operation, `errno` and `zmq_strerror`'s text.
public struct ZMQError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The libzmq call (or wrapper operation) that failed, e.g. `"zmq_bind(tcp://x:1)"`.
    public let operation: String
    /// The error number (`zmq_errno()`), POSIX or libzmq's own (`ETERM`, `EFSM`, ...).
    public let code: Int32
    /// `zmq_strerror(code)`, or a more specific text for wrapper-level errors.
    public let message: String

    public init(operation: String, code: Int32, message: String? = nil) {
        self.operation = operation
        self.code = code
        self.message = message ?? String(cString: zmq_strerror(code))
    }

    /// The error of the last failed libzmq call on this thread.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        ZMQError(operation: operation(), code: zmq_errno())
    }

    /// The context was shut down or terminated (`ETERM`): stop using the socket and close it.
    public var isTerminated: Bool { code == ZMQErrorCode.terminated }
    /// A ROUTER with `routerMandatory` was asked to send to an identity it does not know.
    public var isHostUnreachable: Bool { code == ZMQErrorCode.hostUnreachable }

    public var description: String { "\(operation): \(message) (errno \(code))" }
}

/// Error numbers the wrapper tests for.
public enum ZMQErrorCode {
    public static let terminated = czmq_shim_eterm()
    public static let finiteStateMachine = czmq_shim_efsm()
    public static let hostUnreachable = czmq_shim_ehostunreach()
    public static let again = czmq_shim_eagain()
    public static let interrupted = czmq_shim_eintr()
    public static let invalidArgument = czmq_shim_einval()
}
