import Foundation
import Testing
@testable import CharRNN

@Suite struct DataCorpusTests {
    @Test func lettersLowercaseGivesD2LsTimeMachineLength() throws {
        let corpus = try TestData.corpus("timemachine.txt", .lettersLowercase)
        #expect(corpus.text.unicodeScalars.count == 173_428)
        #expect(corpus.tokens.count == 173_428)
        // 26 letters and the space (d2l adds <unk> for 28).
        #expect(corpus.vocabulary.symbols == Array(" abcdefghijklmnopqrstuvwxyz".unicodeScalars))
    }

    @Test func lettersLowercaseCollapsesEveryNonLetterRun() {
        let p = Preprocessing.lettersLowercase
        #expect(p.apply(to: "Hello, World!! 42x") == "hello world x")
        #expect(p.apply(to: "  caf\u{E9}\nAU-lait  ") == " caf au lait ")
        #expect(p.apply(to: "\u{1F600}") == " ")
        #expect(p.apply(to: "") == "")
        #expect(Preprocessing.none.apply(to: "A, b!") == "A, b!")
    }

    @Test func preprocessingIsCodableWithTheSweepSpelling() throws {
        #expect(Preprocessing(rawValue: "letters-lowercase") == .lettersLowercase)
        #expect(String(decoding: try JSONEncoder().encode(Preprocessing.lettersLowercase), as: UTF8.self) == #""letters-lowercase""#)
    }

    @Test func savedVocabularyIsReused() throws {
        let vocabulary = Vocabulary(symbols: Array("zyx ".unicodeScalars))
        let corpus = try Corpus(text: "xyz zz", vocabulary: vocabulary)
        #expect(corpus.tokens == [2, 1, 0, 3, 0, 0])
        #expect(corpus.vocabulary == vocabulary)
        #expect(throws: DataError.unknownCharacter("w", offset: 1, vocabularySize: 4)) {
            try Corpus(text: "xwy", vocabulary: vocabulary)
        }
    }

    @Test func savedVocabularyMismatchInAFileNamesTheFile() throws {
        let path = TestData.path("nextchar.txt")
        let error = #expect(throws: DataError.self) {
            try Corpus(contentsOfFile: path, vocabulary: Vocabulary(text: "abc"))
        }
        #expect(error?.description.hasPrefix(path + ": unknown character") == true)
    }

    @Test func splitSpecDecodesWithDefaults() throws {
        let decoder = JSONDecoder()
        #expect(try decoder.decode(SplitSpec.self, from: Data(#"{"kind":"random"}"#.utf8)) == SplitSpec(kind: .random, fraction: 0.1))
        #expect(try decoder.decode(SplitSpec.self, from: Data(#"{"fraction":0.2}"#.utf8)) == SplitSpec(kind: .tail, fraction: 0.2))
        #expect(throws: DecodingError.self) { try decoder.decode(SplitSpec.self, from: Data(#"{"kind":"middle"}"#.utf8)) }
        let spec = SplitSpec(kind: .none, fraction: 0.25)
        #expect(try decoder.decode(SplitSpec.self, from: JSONEncoder().encode(spec)) == spec)
    }

    @Test func splitFractionOutsideZeroOneIsRejected() throws {
        for fraction in [0, 1, -0.1, 1.5, .nan] {
            let error = #expect(throws: DataError.self) { try SplitSpec(kind: .tail, fraction: fraction).validate() }
            #expect(error?.description.contains("split.fraction") == true)
        }
        try SplitSpec(kind: .none, fraction: 0).validate()
        #expect(SplitSpec().trainingCount(of: TestData.shakespeareLength) == 1_003_854) // int(0.9 * n)
    }
}
