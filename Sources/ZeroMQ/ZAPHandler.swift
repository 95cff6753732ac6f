import Foundation

/// A ZeroMQ authentication (ZAP, RFC 27) handler that admits only CURVE clients whose public key
/// is on an allow-list. It runs on its own thread with its own REP socket bound to
/// `inproc://zeromq.zap.01` of `context`; start it before binding the CURVE server socket.
/// Stop it with `stop()` (or by shutting the context down).
///
/// An admitted client's User-Id is `userID(forClientKey:)` of its key, so every message from it
/// carries its key in the "User-Id" property (`Socket.receiveAuthenticated`).
public final class ZAPHandler: @unchecked Sendable {
    public static let endpoint = "inproc://zeromq.zap.01"

    /// The User-Id given to an admitted CURVE client: its Z85 public key itself. It identifies the
    /// key exactly (no hash to collide), and is what operators see in the allow-list and logs.
    public static func userID(forClientKey key: String) -> String { key }

    /// One authentication decision, passed to `onDecision` (on the handler's thread).
    public struct Decision: Sendable, Hashable {
        public let admitted: Bool
        public let mechanism: String
        /// The client's CURVE public key in Z85, or "" for other mechanisms.
        public let clientKey: String
        public let address: String
        public let domain: String
    }

    public let domain: String?
    private let allowed: Set<String>
    private let onDecision: (@Sendable (Decision) -> Void)?
    private let lock = NSLock()
    private var stopRequested = false
    private var admittedCount = 0
    private var refusedCount = 0
    private var refused: [String] = []
    private let finished = DispatchSemaphore(value: 0)
    private var isRunning = true

    /// Binds the handler and starts its thread; returns once it is listening.
    /// - Parameters:
    ///   - allowedClientKeys: Z85 public keys admitted; anything else is refused.
    ///   - domain: if set, requests for any other ZAP domain are refused.
    public init(context: Context, allowedClientKeys: Set<String>, domain: String? = nil,
                onDecision: (@Sendable (Decision) -> Void)? = nil) throws(ZMQError) {
        self.allowed = allowedClientKeys
        self.domain = domain
        self.onDecision = onDecision
        let started = DispatchSemaphore(value: 0)
        let startError = ErrorBox()
        let thread = Thread { [self] in
            let socket: Socket
            do {
                socket = try Socket(context, .reply, options: [.linger(milliseconds: 0), .receiveTimeout(milliseconds: 100)])
                try socket.bind(ZAPHandler.endpoint)
            } catch {
                startError.error = error as? ZMQError
                started.signal()
                finished.signal()
                return
            }
            started.signal()
            serve(socket)
            socket.close()
            finished.signal()
        }
        thread.name = "zap-handler"
        thread.start()
        started.wait()
        if let error = startError.error {
            isRunning = false
            throw error
        }
    }

    /// Clients admitted so far.
    public var admissions: Int { lock.lock(); defer { lock.unlock() }; return admittedCount }
    /// Clients refused so far.
    public var refusals: Int { lock.lock(); defer { lock.unlock() }; return refusedCount }
    /// Z85 keys of refused CURVE clients (most recent last, at most 100).
    public var refusedKeys: [String] { lock.lock(); defer { lock.unlock() }; return refused }

    /// Stops the handler thread and closes its socket; returns once it has. Idempotent.
    public func stop() {
        lock.lock()
        stopRequested = true
        let wasRunning = isRunning
        isRunning = false
        lock.unlock()
        if wasRunning { finished.wait() }
    }

    private var shouldStop: Bool { lock.lock(); defer { lock.unlock() }; return stopRequested }

    private func serve(_ socket: Socket) {
        while !shouldStop {
            let request: [[UInt8]]
            do {
                guard let parts = try socket.receive() else { continue }
                request = parts
            } catch {
                return  // ETERM: the context is shutting down.
            }
            let reply = answer(request)
            do { try socket.send(reply) } catch { return }
        }
    }

    /// Builds the ZAP reply for one request (RFC 27 frames).
    private func answer(_ request: [[UInt8]]) -> [[UInt8]] {
        // version, request id, domain, address, routing id, mechanism, credentials...
        guard request.count >= 6, request[0] == Array("1.0".utf8) else {
            return reply(requestID: request.count > 1 ? request[1] : [], code: "400", text: "malformed ZAP request")
        }
        let requestDomain = String(decoding: request[2], as: UTF8.self)
        let address = String(decoding: request[3], as: UTF8.self)
        let mechanism = String(decoding: request[5], as: UTF8.self)
        var clientKey = ""
        if mechanism == "CURVE", request.count >= 7, request[6].count == 32 {
            clientKey = (try? Z85.encode(request[6])) ?? ""
        }
        let domainOK = domain.map { $0 == requestDomain } ?? true
        let admitted = domainOK && mechanism == "CURVE" && allowed.contains(clientKey)
        lock.lock()
        if admitted {
            admittedCount += 1
        } else {
            refusedCount += 1
            refused.append(clientKey)
            if refused.count > 100 { refused.removeFirst() }
        }
        lock.unlock()
        onDecision?(Decision(admitted: admitted, mechanism: mechanism, clientKey: clientKey,
                             address: address, domain: requestDomain))
        return admitted
            ? reply(requestID: request[1], code: "200", text: "OK", userID: Self.userID(forClientKey: clientKey))
            : reply(requestID: request[1], code: "400", text: "client key not allowed")
    }

    private func reply(requestID: [UInt8], code: String, text: String, userID: String = "") -> [[UInt8]] {
        [Array("1.0".utf8), requestID, Array(code.utf8), Array(text.utf8), Array(userID.utf8), []]
    }
}

private final class ErrorBox: @unchecked Sendable {
    var error: ZMQError?
}
