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

/// Non-repeating-looking test bytes (a word-at-a-time LCG: fast even in debug builds).
func pattern(_ count: Int, seed: UInt64 = 7) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: (count + 7) / 8 * 8)
    bytes.withUnsafeMutableBytes { raw in
        let words = raw.bindMemory(to: UInt64.self)
        var state = seed
        for i in words.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            words[i] = state
        }
    }
    return Array(bytes.prefix(count))
}
