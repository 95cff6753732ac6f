import Foundation
import Testing
import ZeroMQ

@Suite(.timeLimit(.minutes(1)))
struct CurveTests {
    @Test func libzmqHasCurve() { #expect(Context.has("curve")) }

    @Test func allowedKeyConnectsAndWrongKeyIsRefusedAndCounted() throws {
        let context = try Context()
        let server = try CurveKeyPair.generate()
        let goodClient = try CurveKeyPair.generate()
        let badClient = try CurveKeyPair.generate()
        let decisions = Outcome()
        let zap = try ZAPHandler(context: context, allowedClientKeys: [goodClient.publicKey], domain: "sweep") { decision in
            if !decision.admitted { decisions.record(decision.clientKey) }
        }
        defer { zap.stop() }

        let router = try makeSocket(context, .router, [.curveServer(secretKey: server.secretKey), .zapDomain("sweep"),
                                                        .receiveTimeout(milliseconds: 300)])
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()

        let bad = try makeSocket(context, .dealer, [
            .curveClient(serverPublicKey: server.publicKey, publicKey: badClient.publicKey, secretKey: badClient.secretKey),
            .identity(Array("bad".utf8))])
        try bad.connect(endpoint)
        try bad.send([Array("let me in".utf8)], dontWait: true)

        let good = try makeSocket(context, .dealer, [
            .curveClient(serverPublicKey: server.publicKey, publicKey: goodClient.publicKey, secretKey: goodClient.secretKey),
            .identity(Array("good".utf8))])
        try good.connect(endpoint)
        try good.send([Array("hello".utf8)])

        // Only the allowed client's message arrives.
        var received: [[[UInt8]]] = []
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, received.isEmpty || zap.refusals == 0 {
            if let parts = try router.receive() { received.append(parts) }
        }
        #expect(received == [[Array("good".utf8), Array("hello".utf8)]])
        #expect(zap.refusals >= 1)
        #expect(zap.admissions >= 1)
        #expect(zap.refusedKeys.contains(badClient.publicKey))
        #expect(decisions.value == badClient.publicKey)

        try router.send([Array("good".utf8), Array("welcome".utf8)])
        #expect(try good.receive() == [Array("welcome".utf8)])
        #expect(try router.receive() == nil)  // still nothing from the refused client
    }

    @Test func keyPairsAndDerivation() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.count == 40 && pair.secretKey.count == 40)
        #expect(try Z85.decode(pair.publicKey).count == 32)
        #expect(try CurveKeyPair.fromSecretKey(pair.secretKey) == pair)
        #expect(try CurveKeyPair.generate() != pair)
        #expect(throws: ZMQError.self) { try CurveKeyPair.fromSecretKey("not a key") }
    }

    @Test func z85MatchesTheSpecAndRejectsBadInput() throws {
        // RFC 32 test vector.
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(try Z85.encode(bytes) == "HelloWorld")
        #expect(try Z85.decode("HelloWorld") == bytes)
        let random = (0..<32).map { _ in UInt8.random(in: 0...255) }
        #expect(try Z85.decode(Z85.encode(random)) == random)
        #expect(throws: ZMQError.self) { try Z85.encode([1, 2, 3]) }
        #expect(throws: ZMQError.self) { try Z85.decode("Hell") }
        #expect(throws: ZMQError.self) { try Z85.decode("Hello Worl") }
        #expect(throws: ZMQError.self) { try Z85.decode("#####") }  // > 2^32
    }
}
