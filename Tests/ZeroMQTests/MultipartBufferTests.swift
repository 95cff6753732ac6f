import Foundation
import Testing
@testable import ZeroMQ

@Suite(.timeLimit(.minutes(1)))
struct MultipartBufferTests {
    @Test(arguments: Transport.allCases)
    func oneBufferReceivesMessagesOfEveryShapeInTurn(_ transport: Transport) throws {
        let context = try Context()
        let a = try makeSocket(context, .pair)
        let b = try makeSocket(context, .pair)
        try bindAndConnect(a, b, over: transport)

        let messages: [[[UInt8]]] = [
            [Array("one".utf8)],
            [Array("RNS1".utf8), [], pattern(1000)],
            (0..<11).map { [UInt8($0)] },  // longer than the capacity: the buffer grows
            [pattern(3 << 20, seed: 9)],   // a large part, read in place
            [[7]],
        ]
        for message in messages { try a.send(message) }
        var buffer = MultipartBuffer(capacity: 2)
        for message in messages {
            #expect(try b.receive(into: &buffer))
            #expect(buffer.count == message.count)
            #expect(buffer.parts == message)
            #expect((0..<buffer.count).map { buffer.size(ofPart: $0) } == message.map(\.count))
        }
        #expect(buffer.capacity == 16)
    }

    @Test func wouldBlockLeavesAnEmptyBuffer() throws {
        let context = try Context()
        let a = try makeSocket(context, .pair)
        let b = try makeSocket(context, .pair)
        try bindAndConnect(a, b, over: .inproc)
        var buffer = MultipartBuffer()
        try a.send([[1], [2]])
        #expect(try b.receive(into: &buffer))
        #expect(buffer.count == 2)
        #expect(try b.receive(into: &buffer, dontWait: true) == false)
        #expect(buffer.count == 0)
    }

    @Test func receiveTimeoutReturnsFalse() throws {
        let context = try Context()
        let a = try makeSocket(context, .pair)
        let b = try makeSocket(context, .pair, [.receiveTimeout(milliseconds: 50)])
        try bindAndConnect(a, b, over: .inproc)
        var buffer = MultipartBuffer()
        let start = Date()
        #expect(try b.receive(into: &buffer) == false)
        #expect(seconds(since: start) < 2)
    }

    @Test func routerEnvelopeArrivesAsTheFirstPart() throws {
        let context = try Context()
        let router = try makeSocket(context, .router)
        let dealer = try makeSocket(context, .dealer, [.identity(Array("w1".utf8))])
        try bindAndConnect(router, dealer, over: .tcp)
        try dealer.send([Array("RNS1".utf8), Array("HELLO".utf8)])
        var buffer = MultipartBuffer(capacity: 1)
        #expect(try router.receive(into: &buffer))
        #expect(buffer.parts == [Array("w1".utf8), Array("RNS1".utf8), Array("HELLO".utf8)])
        let identity = buffer.withUnsafeBytes(ofPart: 0) { String(decoding: $0, as: UTF8.self) }
        #expect(identity == "w1")
    }
}
