import Foundation
import SystemSupport
import Testing

@Suite struct SHA256HexTests {
    @Test func digestsBytesWhereTheyAreAndFilesInChunks() throws {
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(SHA256Hex.digest(Data("abc".utf8)) == expected)
        #expect(SHA256Hex.digest(Array("abc".utf8)) == expected)
        #expect(SHA256Hex.digest(Array("xabcx".utf8)[1..<4]) == expected)
        #expect(SHA256Hex.isValid(expected))

        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("big")
        let bytes = [UInt8]((0..<(3 << 20) + 5).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try DurableFile.replace(file, with: bytes)
        let streamed = try SHA256Hex.digest(ofFileAt: file)
        #expect(streamed.sha256 == SHA256Hex.digest(bytes))
        #expect(streamed.byteCount == bytes.count)
    }

    @Test(arguments: ["", String(repeating: "a", count: 63), String(repeating: "A", count: 64),
                      String(repeating: "g", count: 64), String(repeating: "0", count: 65)])
    func rejectsAnythingButSixtyFourLowercaseHexDigits(_ text: String) {
        #expect(!SHA256Hex.isValid(text))
    }
}
