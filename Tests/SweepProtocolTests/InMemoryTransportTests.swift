import SweepProtocol
import SweepTestSupport
import Testing

struct InMemoryTransportTests {
    let codec = Codec()

    @Test func routesByIdentityLikeRouterDealer() throws {
        let network = InMemoryNetwork()
        let router = network.router()
        let w1 = network.connect(identity: Array("w1".utf8))
        let w2 = network.connect(identity: Array("w2".utf8))
        try w1.send(codec.encode(.ready(Ready(slots: 1))))
        try w2.send(codec.encode(.heartbeat))
        let first = try codec.decode(routedFrames: #require(router.receive()))
        #expect(first.identity == Array("w1".utf8) && first.message == .ready(Ready(slots: 1)))
        let second = try codec.decode(routedFrames: #require(router.receive()))
        #expect(second.identity == Array("w2".utf8) && second.message == .heartbeat)
        try router.send(codec.encode(.resultAck(ResultAck(trialId: "t", attempt: 1, leaseId: "l")), to: Array("w2".utf8)))
        #expect(try codec.decode(frames: #require(w2.receive(timeout: 1))) == .resultAck(ResultAck(trialId: "t", attempt: 1, leaseId: "l")))
        #expect(w1.receive() == nil)
        #expect(throws: InMemoryTransportError.hostUnreachable(Array("nobody".utf8))) {
            try router.send(codec.encode(.heartbeat, to: Array("nobody".utf8)))
        }
        network.disconnect(identity: Array("w1".utf8))
        #expect(throws: InMemoryTransportError.self) { try router.send(codec.encode(.heartbeat, to: Array("w1".utf8))) }
    }

    @Test func injectsSeededDropsDuplicatesAndReorders() throws {
        func run(seed: UInt64) throws -> ([Int], FaultCounts) {
            let network = InMemoryNetwork(faults: FaultPlan(drop: 0.1, duplicate: 0.1, reorder: 0.1, seed: seed))
            let router = network.router()
            let worker = network.connect(identity: [1])
            for n in 0..<1000 { try worker.send([[UInt8(n % 256), UInt8(n / 256)]]) }
            var received: [Int] = []
            while let frames = router.receive() { received.append(Int(frames[1][0]) + 256 * Int(frames[1][1])) }
            return (received, network.faultCounts)
        }
        let (received, counts) = try run(seed: 42)
        #expect(counts.dropped > 50 && counts.duplicated > 50 && counts.reordered > 50)
        #expect(received.count == 1000 - counts.dropped + counts.duplicated)
        #expect(received != received.sorted())
        #expect(try run(seed: 42).0 == received)  // reproducible
        #expect(try run(seed: 43).0 != received)
    }

    @Test func partitionLosesMessagesBothWays() throws {
        let network = InMemoryNetwork()
        let router = network.router()
        let worker = network.connect(identity: [9])
        network.setPartitioned([9], true)
        try worker.send([[1]])
        try router.send([[9], [2]])
        #expect(router.receive() == nil && worker.receive() == nil)
        network.setPartitioned([9], false)
        try worker.send([[3]])
        #expect(router.receive() == [[9], [3]])
        #expect(network.faultCounts.dropped == 2)
    }

    @Test func dropsOnlyTheTargetedMessagesOneWay() throws {
        let network = InMemoryNetwork()
        let router = network.router()
        let worker = network.connect(identity: [7])
        network.dropNext(1, toDealers: true) { $0 == [[2]] }
        try worker.send([[2]])                 // the other way: delivered
        try router.send([[7], [1]])
        try router.send([[7], [2]])            // dropped
        try router.send([[7], [2]])            // the rule is used up: delivered
        #expect(router.receive() == [[7], [2]])
        #expect(worker.receive() == [[1]] && worker.receive() == [[2]] && worker.receive() == nil)
        #expect(network.faultCounts.dropped == 1)
    }

    @Test func theRouterEndsReportTheKeyEachDealerConnectedWith() throws {
        let network = InMemoryNetwork()
        let router = InMemoryRouterTransport(network: network)
        try network.connect(identity: [1], key: "key-1").send([[10]])
        try network.connect(identity: [2]).send([[20], [21]])
        #expect(try router.wait(timeout: 1, fileDescriptors: []).messages)
        #expect(try router.receive(maxParts: 3, maxBytes: 100) == ReceivedFrames(.message([[1], [10]]), peerKey: "key-1"))
        // Bounded like the ZeroMQ end: too many parts arrive as a size only.
        #expect(try router.receive(maxParts: 2, maxBytes: 100) == ReceivedFrames(.tooLarge(parts: 3, bytes: 3)))
        #expect(try router.receive(maxParts: 3, maxBytes: 100) == nil)
    }
}
