import Foundation
import Testing
@testable import CharRNN

@Suite struct VocabularyTests {
    @Test func tinyShakespeareHas65SymbolsInPythonSortedOrder() throws {
        let vocabulary = try TestData.corpus("tinyshakespeare.txt").vocabulary
        #expect(vocabulary.count == 65)
        // Python: ''.join(sorted(set(open('tinyshakespeare.txt').read())))
        let python = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        #expect(vocabulary.symbols == Array(python.unicodeScalars))
        #expect(vocabulary.id(of: "\n") == 0)
        #expect(vocabulary.id(of: "z") == 64)
        #expect(vocabulary.id(of: "#") == nil)
    }

    @Test func decodeOfEncodeIsIdentityOnTheWholeText() throws {
        let corpus = try TestData.corpus("tinyshakespeare.txt")
        #expect(corpus.vocabulary.decode(corpus.tokens) == corpus.text)
    }

    @Test func scalarsNotGraphemesAreTheSymbols() throws {
        // "\r\n" and "e\u{301}" are one Character each in Swift but two Python characters.
        let text = "caf\u{E9} e\u{301}\r\n\u{1F600}x\u{10FFFF}"
        let vocabulary = Vocabulary(text: text)
        #expect(vocabulary.count == 12)
        #expect(vocabulary.symbols.map(\.value) == vocabulary.symbols.map(\.value).sorted())
        let ids = try vocabulary.encode(text)
        #expect(ids.count == text.unicodeScalars.count)
        #expect(vocabulary.decode(ids) == text)
        #expect(vocabulary.id(of: "\u{1F600}") == 10)
        #expect(vocabulary.id(of: "\u{10FFFF}") == 11)
        #expect(vocabulary.id(of: "\u{1F601}") == nil)
    }

    @Test func unknownCharacterErrorNamesItAndItsOffset() {
        let vocabulary = Vocabulary(text: "abc")
        let error = #expect(throws: DataError.self) { try vocabulary.encode("abzc") }
        #expect(error == .unknownCharacter("z", offset: 2, vocabularySize: 3))
        #expect(error?.description.contains("'z' (U+007A) at offset 2") == true)
    }

    @Test func explicitSymbolsKeepTheirOrder() {
        let vocabulary = Vocabulary(symbols: ["z", "a", "z", "m"])
        #expect(vocabulary.symbols == ["z", "a", "m"])
        #expect(vocabulary.id(of: "a") == 1)
        #expect(vocabulary.decode([2, 0, 7, -1]) == "mz\u{FFFD}\u{FFFD}")
    }

    @Test func codableAsOneJSONString() throws {
        let vocabulary = Vocabulary(text: "hello \"world\"\n\u{1F600}")
        let json = try JSONEncoder().encode(vocabulary)
        let string = try JSONDecoder().decode(String.self, from: json)
        #expect(Array(string.unicodeScalars) == vocabulary.symbols)
        #expect(try JSONDecoder().decode(Vocabulary.self, from: json) == vocabulary)
    }

    @Test func decodingADuplicateSymbolFails() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Vocabulary.self, from: Data(#""abca""#.utf8)) }
    }
}
