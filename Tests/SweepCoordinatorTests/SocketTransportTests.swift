import Foundation
import SweepProtocol
import Testing
import ZeroMQ
import ZeroMQTransport

/// The services' ZeroMQ transport over real sockets.
@Suite struct SocketTransportTests {
    /// A full queue is `.wouldBlock`, never a silent success: the sender must know a message was not sent.
    @Test func aFullQueueIsWouldBlockNotASilentDrop() throws {
        let context = try Context()
        defer { context.terminate() }
        // Connected to an endpoint no one listens on: messages queue until the high-water mark.
        let socket = try Socket(context, .dealer, options: [.sendHighWaterMark(2), .linger(milliseconds: 0), .immediate(false)])
        try socket.connect("ipc:///tmp/rnnsweep-nobody-\(UUID().uuidString).sock")
        let transport = ZeroMQSocketTransport(socket: socket, readsUserID: false)
        var sent = 0
        var refusal: TransportSendError?
        for _ in 0..<100 {
            do throws(TransportSendError) {
                try transport.send([[1, 2, 3], [4]])
                sent += 1
            } catch {
                refusal = error
                break
            }
        }
        #expect(sent >= 1 && sent < 100, "sent \(sent)")
        guard case .wouldBlock? = refusal else {
            Issue.record("expected .wouldBlock, got \(String(describing: refusal))")
            return
        }
        socket.close()
    }
}
