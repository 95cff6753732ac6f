import Foundation

/// A dataset text after preprocessing, its vocabulary and its token ids.
public struct Corpus: Sendable {
    /// The text after preprocessing.
    public let text: String
    public let vocabulary: Vocabulary
    /// One id per Unicode scalar of `text`.
    public let tokens: [Int32]
    public let preprocessing: Preprocessing

    /// Builds the vocabulary from the (preprocessed) text, with d2l's `<unk>` token if `unknownToken`.
    public init(text: String, preprocessing: Preprocessing = .none, unknownToken: Bool = false) {
        let processed = preprocessing.apply(to: text)
        let vocabulary = Vocabulary(text: processed, unknownToken: unknownToken)
        self.text = processed
        self.vocabulary = vocabulary
        // Cannot fail: every scalar of the text is in its own vocabulary.
        self.tokens = (try? vocabulary.encode(processed)) ?? []
        self.preprocessing = preprocessing
    }

    /// Reuses a saved vocabulary (a resumed trial); throws if the text has a character outside it.
    public init(text: String, vocabulary: Vocabulary, preprocessing: Preprocessing = .none) throws {
        let processed = preprocessing.apply(to: text)
        self.text = processed
        self.vocabulary = vocabulary
        self.tokens = try vocabulary.encode(processed)
        self.preprocessing = preprocessing
    }

    /// Reads a UTF-8 file; errors name the file.
    public init(contentsOfFile path: String, preprocessing: Preprocessing = .none) throws {
        self.init(text: try Self.readText(path), preprocessing: preprocessing)
    }

    /// Reads a UTF-8 file with a saved vocabulary; errors name the file.
    public init(contentsOfFile path: String, vocabulary: Vocabulary, preprocessing: Preprocessing = .none) throws {
        let text = try Self.readText(path)
        do {
            try self.init(text: text, vocabulary: vocabulary, preprocessing: preprocessing)
        } catch let error as DataError {
            throw DataError.inFile(path: path, error)
        }
    }

    /// The file's text; a missing file or invalid UTF-8 is a `DataError.unreadableFile`.
    public static func readText(_ path: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DataError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError.unreadableFile(path: path, reason: "not valid UTF-8")
        }
        return text
    }
}
