import Foundation
import ZeroMQ

/// The transports every socket test runs over.
enum Transport: String, CaseIterable, CustomStringConvertible {
    case tcp, ipc, inproc
    var description: String { rawValue }

    /// An endpoint to bind: an ephemeral tcp port, a socket in a fresh temp dir, or a unique name.
    func bindEndpoint() -> String {
        switch self {
        case .tcp: "tcp://127.0.0.1:*"
        case .ipc: "ipc://" + temporaryDirectory() + "/s"
        case .inproc: "inproc://test-\(UUID().uuidString)"
        }
    }
}

func temporaryDirectory() -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("zmqtest-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

/// Every test socket gives up after this long, so a broken test fails instead of hanging.
let testTimeoutMilliseconds: Int32 = 5000

func makeSocket(_ context: Context, _ kind: SocketKind, _ options: [SocketOption] = []) throws -> Socket {
    try Socket(context, kind, options: [.receiveTimeout(milliseconds: testTimeoutMilliseconds),
                                         .sendTimeout(milliseconds: testTimeoutMilliseconds),
                                         .linger(milliseconds: 0)] + options)
}

/// Binds `server` and connects `client` to the real endpoint (ephemeral tcp port resolved).
func bindAndConnect(_ server: Socket, _ client: Socket, over transport: Transport) throws {
    try server.bind(transport.bindEndpoint())
    try client.connect(try server.lastEndpoint())
}

func seconds(since start: Date) -> Double { Date().timeIntervalSince(start) }

func pattern(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &+ ($0 >> 8)) }
}
