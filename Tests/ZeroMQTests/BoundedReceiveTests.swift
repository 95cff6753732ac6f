import Foundation
import Testing
@testable import ZeroMQ

@Suite(.timeLimit(.minutes(1)))
struct BoundedReceiveTests {
    @Test(arguments: Transport.allCases)
    func messagesPastThePartOrByteBoundAreDroppedWholeAndTheNextOneArrives(_ transport: Transport) throws {
        let context = try Context()
        let a = try makeSocket(context, .pair)
        let b = try makeSocket(context, .pair)
        try bindAndConnect(a, b, over: transport)

        try b.send((0..<20).map { [UInt8($0)] })                             // too many parts
        try b.send([[UInt8](repeating: 7, count: 600), [UInt8](repeating: 8, count: 600)])   // too many bytes
        try b.send([Array("ok".utf8), [1, 2, 3]])                             // within both
        #expect(try a.receive(maxParts: 5, maxBytes: 1000) == .tooLarge(parts: 20, bytes: 20))
        #expect(try a.receive(maxParts: 5, maxBytes: 1000) == .tooLarge(parts: 2, bytes: 1200))
        #expect(try a.receive(maxParts: 5, maxBytes: 1000) == .message([Array("ok".utf8), [1, 2, 3]]))
        #expect(try a.receive(dontWait: true, maxParts: 5, maxBytes: 1000) == nil)
    }
}
