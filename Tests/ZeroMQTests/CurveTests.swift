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

    @Test func eachMessageCarriesTheUserIdTheZAPHandlerGaveItsKey() throws {
        let context = try Context()
        let server = try CurveKeyPair.generate()
        let clientA = try CurveKeyPair.generate()
        let clientB = try CurveKeyPair.generate()
        let zap = try ZAPHandler(context: context, allowedClientKeys: [clientA.publicKey, clientB.publicKey], domain: "sweep")
        defer { zap.stop() }
        let router = try makeSocket(context, .router, [.curveServer(secretKey: server.secretKey), .zapDomain("sweep"),
                                                        .receiveTimeout(milliseconds: 300)])
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()
        var clients: [Socket] = []
        for (name, pair) in [("a", clientA), ("b", clientB)] {
            let dealer = try makeSocket(context, .dealer, [
                .curveClient(serverPublicKey: server.publicKey, publicKey: pair.publicKey, secretKey: pair.secretKey),
                .identity(Array(name.utf8))])
            try dealer.connect(endpoint)
            try dealer.send([Array("from \(name)".utf8), Array("second part".utf8)])
            clients.append(dealer)
        }
        var userIDs: [String: String?] = [:]
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, userIDs.count < 2 {
            guard let received = try router.receiveAuthenticated(maxParts: 5, maxBytes: 1000),
                  case .message(let parts) = received.message else { continue }
            #expect(parts.count == 3)
            userIDs[String(decoding: parts[0], as: UTF8.self)] = received.userID
        }
        #expect(ZAPHandler.userID(forClientKey: clientA.publicKey) == clientA.publicKey)
        #expect(userIDs["a"] == ZAPHandler.userID(forClientKey: clientA.publicKey))
        #expect(userIDs["b"] == ZAPHandler.userID(forClientKey: clientB.publicKey))
        // A message past the bounds is still attributed to its key (and not copied).
        try clients[0].send([[UInt8](repeating: 7, count: 2000)])
        var tooLarge: AuthenticatedMessage?
        while Date() < deadline, tooLarge == nil { tooLarge = try router.receiveAuthenticated(maxParts: 5, maxBytes: 1000) }
        #expect(tooLarge == AuthenticatedMessage(message: .tooLarge(parts: 2, bytes: 2001), userID: clientA.publicKey))
        for client in clients { client.close() }
    }

    @Test func withoutAuthenticationThereIsNoUserId() throws {
        let context = try Context()
        let router = try makeSocket(context, .router)
        let dealer = try makeSocket(context, .dealer, [.identity(Array("plain".utf8))])
        try router.bind("tcp://127.0.0.1:*")
        try dealer.connect(try router.lastEndpoint())
        try dealer.send([Array("hi".utf8)])
        let received = try #require(try router.receiveAuthenticated(maxParts: 5, maxBytes: 100))
        #expect(received == AuthenticatedMessage(message: .message([Array("plain".utf8), Array("hi".utf8)]), userID: nil))
        dealer.close()
        router.close()
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
