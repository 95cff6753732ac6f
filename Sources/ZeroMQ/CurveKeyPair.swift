import CZeroMQ

/// A CURVE key pair as 40-character Z85 strings.
public struct CurveKeyPair: Sendable, Hashable, Codable {
    public static let z85KeyLength = 40

    public let publicKey: String
    public let secretKey: String

    public init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A fresh random key pair (`zmq_curve_keypair`; needs libzmq built with CURVE).
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: z85KeyLength + 1)
        var secretKey = [CChar](repeating: 0, count: z85KeyLength + 1)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError.last("zmq_curve_keypair") }
        return CurveKeyPair(publicKey: string(publicKey), secretKey: string(secretKey))
    }

    /// The key pair whose secret key is `secretKey` (Z85), deriving the public key.
    public static func fromSecretKey(_ secretKey: String) throws(ZMQError) -> CurveKeyPair {
        guard secretKey.utf8.count == z85KeyLength else {
            throw ZMQError(operation: "zmq_curve_public", code: ZMQErrorCode.invalidArgument,
                           message: "a CURVE key must be \(z85KeyLength) Z85 characters, got \(secretKey.utf8.count)")
        }
        _ = try Z85.decode(secretKey)
        var publicKey = [CChar](repeating: 0, count: z85KeyLength + 1)
        guard zmq_curve_public(&publicKey, secretKey) == 0 else { throw ZMQError.last("zmq_curve_public") }
        return CurveKeyPair(publicKey: string(publicKey), secretKey: secretKey)
    }

    private static func string(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
