import Foundation
import Testing
import ZeroMQ

@Suite(.timeLimit(.minutes(1)))
struct PollerTests {
    @Test func reportsOnlyTheReadySocketAndHonoursTimeout() throws {
        let context = try Context()
        let a = try makeSocket(context, .pair), a2 = try makeSocket(context, .pair)
        let b = try makeSocket(context, .pair), b2 = try makeSocket(context, .pair)
        try bindAndConnect(a, a2, over: .inproc)
        try bindAndConnect(b, b2, over: .tcp)

        let poller = Poller()
        let ia = poller.register(a)
        let ib = poller.register(b)

        let start = Date()
        #expect(try poller.poll(timeout: 0.1) == 0)
        #expect(seconds(since: start) >= 0.09)

        try b2.send([[9]])
        #expect(try poller.poll(timeout: 5) == 1)
        #expect(!poller.isReadable(ia))
        #expect(poller.isReadable(ib))
        #expect(try b.receive() == [[9]])

        try a2.send([[1]])
        try b2.send([[2]])
        var ready = Set<Int>()
        let deadline = Date().addingTimeInterval(5)
        while ready.count < 2, Date() < deadline {
            try poller.poll(timeout: 1)
            if poller.isReadable(ia) { ready.insert(ia) }
            if poller.isReadable(ib) { ready.insert(ib) }
        }
        #expect(ready == [ia, ib])
        poller.update(ia, events: .writable)
        #expect(try poller.poll(timeout: 0) >= 1)
        #expect(poller.isWritable(ia))
    }
}
