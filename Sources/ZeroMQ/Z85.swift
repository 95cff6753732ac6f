import CZeroMQ

/// ZeroMQ's Z85 text encoding (RFC 32), used for CURVE keys.
public enum Z85 {
    static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
    private static let digitValues: [UInt8: UInt64] = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, UInt64($0)) })

    /// Encodes bytes whose count is a multiple of 4.
    public static func encode(_ bytes: [UInt8]) throws(ZMQError) -> String {
        guard bytes.count % 4 == 0 else {
            throw ZMQError(operation: "Z85.encode", code: ZMQErrorCode.invalidArgument,
                           message: "Z85 encodes a multiple of 4 bytes, got \(bytes.count)")
        }
        var output = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        let ok = bytes.withUnsafeBufferPointer { zmq_z85_encode(&output, $0.baseAddress, $0.count) } != nil
        guard ok else { throw ZMQError.last("zmq_z85_encode") }
        return String(decoding: output.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes a string whose length is a multiple of 5 and that uses only Z85 characters.
    public static func decode(_ string: String) throws(ZMQError) -> [UInt8] {
        let text = Array(string.utf8)
        guard text.count % 5 == 0 else {
            throw ZMQError(operation: "Z85.decode", code: ZMQErrorCode.invalidArgument,
                           message: "Z85 text must be a multiple of 5 characters, got \(text.count)")
        }
        // Validate here: libzmq's own checks differ across versions.
        for start in stride(from: 0, to: text.count, by: 5) {
            var value: UInt64 = 0
            for char in text[start..<start + 5] {
                guard let digit = digitValues[char] else {
                    throw ZMQError(operation: "Z85.decode", code: ZMQErrorCode.invalidArgument,
                                   message: "invalid Z85 character \(String(UnicodeScalar(char)).debugDescription) at offset \(start)")
                }
                value = value * 85 + digit
            }
            guard value <= UInt64(UInt32.max) else {
                throw ZMQError(operation: "Z85.decode", code: ZMQErrorCode.invalidArgument,
                               message: "Z85 group at offset \(start) exceeds 32 bits")
            }
        }
        var output = [UInt8](repeating: 0, count: text.count / 5 * 4)
        let cString = text.map { CChar(bitPattern: $0) } + [0]
        let ok = output.withUnsafeMutableBufferPointer { zmq_z85_decode($0.baseAddress, cString) } != nil
        guard ok else { throw ZMQError.last("zmq_z85_decode") }
        return output
    }
}
