import Foundation
import Testing
import ZeroMQ

@Suite(.timeLimit(.minutes(1)))
struct ShutdownTests {
    @Test(arguments: [Transport.tcp, .ipc])
    func closingAndTerminatingWithMessagesInFlightReturnsPromptly(_ transport: Transport) throws {
        let start = Date()
        do {
            let context = try Context()
            // The receiver never reads, so the sender's queue fills with unsent 64 KiB messages.
            let receiver = try Socket(context, .pull, options: [.receiveHighWaterMark(1)])
            let sender = try Socket(context, .push, options: [.sendHighWaterMark(1000)])  // default (bounded) linger
            try bindAndConnect(receiver, sender, over: transport)
            var queued = 0
            let chunk = pattern(64 << 10)
            while queued < 1000, try sender.send(chunk, dontWait: true) { queued += 1 }
            #expect(queued > 1)
            sender.close()
            receiver.close()
            context.terminate()
        }
        // Bounded by the 500 ms default linger, not forever.
        #expect(seconds(since: start) < 3)
    }

    @Test func terminateWhileAnotherThreadBlocksWakesItWithETERM() throws {
        let context = try Context()
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        let endpoint = Transport.inproc.bindEndpoint()
        let bound = DispatchSemaphore(value: 0)
        Thread {
            do {
                let socket = try Socket(context, .pull)  // no receive timeout: blocks until ETERM
                try socket.bind(endpoint)
                bound.signal()
                _ = try socket.receive()
                outcome.record("received")
            } catch {
                outcome.record((error as? ZMQError)?.isTerminated == true ? "ETERM" : "\(error)")
            }
            done.signal()
        }.start()
        #expect(bound.wait(timeout: .now() + 5) == .success)
        let start = Date()
        context.terminate()  // does not wait for the other thread's socket
        #expect(seconds(since: start) < 1)
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(outcome.value == "ETERM")
        #expect(throws: ZMQError.self) { try Socket(context, .pair) }
    }

    @Test func droppingSocketsAndContextDoesNotHang() throws {
        let start = Date()
        for _ in 0..<3 {
            let context = try Context()
            let dealer = try Socket(context, .dealer)
            try dealer.connect("tcp://127.0.0.1:1")  // nobody listens: the message stays queued
            try dealer.send([pattern(1024)], dontWait: true)
        }
        // Each context waits at most the 500 ms default linger for its unsent message.
        #expect(seconds(since: start) < 3)
    }
}

final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func record(_ value: String) { lock.lock(); text = value; lock.unlock() }
    var value: String { lock.lock(); defer { lock.unlock() }; return text }
}
