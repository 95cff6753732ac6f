import Foundation
import Testing
@testable import ZeroMQ

@Suite(.timeLimit(.minutes(1)))
struct SocketPairTests {
    @Test(arguments: Transport.allCases)
    func pairExchangesMultipartBothWays(_ transport: Transport) throws {
        let context = try Context()
        let a = try makeSocket(context, .pair)
        let b = try makeSocket(context, .pair)
        try bindAndConnect(a, b, over: transport)

        #expect(try b.send([Array("hello".utf8), [], [1, 2, 3]]))
        #expect(try a.receive() == [Array("hello".utf8), [], [1, 2, 3]])
        try a.send([Array("back".utf8)])
        #expect(try b.receive() == [Array("back".utf8)])
    }

    @Test(arguments: Transport.allCases)
    func routerDealerRoutesByIdentity(_ transport: Transport) throws {
        let context = try Context()
        let router = try makeSocket(context, .router, [.routerMandatory(true)])
        let d1 = try makeSocket(context, .dealer, [.identity(Array("worker-1".utf8))])
        let d2 = try makeSocket(context, .dealer, [.identity(Array("worker-2".utf8))])
        try router.bind(transport.bindEndpoint())
        let endpoint = try router.lastEndpoint()
        try d1.connect(endpoint)
        try d2.connect(endpoint)

        try d1.send([Array("RNS1".utf8), Array("HELLO".utf8)])
        try d2.send([Array("RNS1".utf8), Array("READY".utf8)])
        var seen: [String: [UInt8]] = [:]
        for _ in 0..<2 {
            let parts = try #require(try router.receive())
            #expect(parts.count == 3)
            seen[String(decoding: parts[0], as: UTF8.self)] = parts[2]
        }
        #expect(seen == ["worker-1": Array("HELLO".utf8), "worker-2": Array("READY".utf8)])

        try router.send([Array("worker-2".utf8), Array("to-2".utf8)])
        try router.send([Array("worker-1".utf8), Array("to-1".utf8)])
        #expect(try d1.receive() == [Array("to-1".utf8)])
        #expect(try d2.receive() == [Array("to-2".utf8)])

        // ROUTER_MANDATORY: an unknown identity is an error, not a silent drop.
        let error = #expect(throws: ZMQError.self) { try router.send([Array("nobody".utf8), [1]]) }
        #expect(error?.isHostUnreachable == true)
    }

    @Test(arguments: [Transport.tcp, .ipc])
    func eightMebibyteFrameArrivesIntact(_ transport: Transport) throws {
        let context = try Context()
        let router = try makeSocket(context, .router, [.maxMessageSize(16 << 20)])
        let dealer = try makeSocket(context, .dealer, [.identity([0x42])])
        try bindAndConnect(router, dealer, over: transport)

        let payload = pattern(8 << 20)
        let frame = Frame(count: payload.count) { buffer in buffer.copyBytes(from: payload) }
        try dealer.send([Frame(string: "CHECKPOINT"), frame])
        let parts = try #require(try router.receiveFrames())
        #expect(parts.count == 3)
        #expect(parts[0].bytes == [0x42])
        #expect(parts[1].string == "CHECKPOINT")
        #expect(parts[2].count == payload.count)
        let same = parts[2].withUnsafeBytes { received in
            payload.withUnsafeBytes { memcmp(received.baseAddress!, $0.baseAddress!, payload.count) == 0 }
        }
        #expect(same)
    }

    @Test func oversizeMessageIsRejectedByMaxMessageSize() throws {
        let context = try Context()
        let server = try makeSocket(context, .router, [.maxMessageSize(1024), .receiveTimeout(milliseconds: 300)])
        let client = try makeSocket(context, .dealer)
        try bindAndConnect(server, client, over: .tcp)
        try client.send([pattern(4096)])
        #expect(try server.receive() == nil)
    }

    @Test func framesAreSharedNotConsumedAndAdoptedBuffersAreFreed() throws {
        let context = try Context()
        let a = try makeSocket(context, .pair)
        let b = try makeSocket(context, .pair)
        try bindAndConnect(a, b, over: .inproc)

        let freed = FreedFlag()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0xAB)
        var frame: Frame? = Frame(taking: buffer) { buffer in
            buffer.deallocate()
            freed.set()
        }
        try a.send(frame!)
        try a.send(frame!)  // sending again works: the frame was not consumed
        for _ in 0..<2 {
            let received = try #require(try b.receiveFrames())
            #expect(received.count == 1)
            #expect(received[0].bytes == [UInt8](repeating: 0xAB, count: 1 << 16))
        }
        #expect(!freed.isSet)
        frame = nil
        #expect(freed.isSet)
    }

    @Test func wouldBlockAndTimeoutReturnNil() throws {
        let context = try Context()
        let a = try makeSocket(context, .pair, [.receiveTimeout(milliseconds: 50)])
        try a.bind(Transport.inproc.bindEndpoint())
        #expect(try a.receive(dontWait: true) == nil)
        #expect(try a.receiveFrames(dontWait: true) == nil)
        let start = Date()
        #expect(try a.receive() == nil)
        #expect(seconds(since: start) >= 0.04)
        // PAIR with no peer cannot send: would block.
        #expect(try a.send([[1]], dontWait: true) == false)
    }

    @Test func errorsCarryErrnoAndText() throws {
        let context = try Context()
        let socket = try makeSocket(context, .pair)
        let error = #expect(throws: ZMQError.self) { try socket.connect("bogus://nowhere") }
        #expect(error?.code != 0)
        #expect(error?.message.isEmpty == false)
        #expect(error?.description.contains("bogus://nowhere") == true)
        let keyError = #expect(throws: ZMQError.self) { try socket.set(.curveServer(secretKey: "short")) }
        #expect(keyError?.code == ZMQErrorCode.invalidArgument)
    }
}

final class FreedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

@Suite struct FrameRecyclingTests {
    @Test func smallSinglePartMessagesReuseTheDroppedFrame() throws {
        let context = try Context()
        let a = try makeSocket(context, .pair)
        let b = try makeSocket(context, .pair)
        try bindAndConnect(a, b, over: .inproc)
        for n in 0..<3 { try a.send([UInt8(n)]) }
        var first = try #require(try b.receiveFrames())
        let identity = ObjectIdentifier(first[0].storage)
        first = []  // dropped: the socket may reuse it
        let second = try #require(try b.receiveFrames())
        #expect(ObjectIdentifier(second[0].storage) == identity)
        #expect(second[0].bytes == [1])
        let third = try #require(try b.receiveFrames())  // `second` still held: a fresh frame
        #expect(ObjectIdentifier(third[0].storage) != identity)
        #expect(second[0].bytes == [1] && third[0].bytes == [2])
    }
}
