import Foundation

/// A dataset file found (or downloaded) and verified.
public struct ResolvedDataset: Sendable, Hashable {
    /// Registry name, or the file name without extension for a dataset given by path.
    public var name: String
    public var path: URL
    /// Lowercase hex SHA-256 of the file.
    public var sha256: String
    public var byteCount: Int

    public init(name: String, path: URL, sha256: String, byteCount: Int) {
        self.name = name
        self.path = path
        self.sha256 = sha256
        self.byteCount = byteCount
    }

    /// The file's bytes.
    public func bytes() throws(DatasetError) -> Data {
        do { return try Data(contentsOf: path) } catch {
            throw .unreadable(path: path.path, reason: SweepFile.reason(error))
        }
    }

    /// The text a model sees: the file decoded as UTF-8, then preprocessed.
    public func text(preprocess: Preprocessing = .none) throws(DatasetError) -> String {
        let data = try bytes()
        guard let text = String(data: data, encoding: .utf8) else { throw .notUTF8(path: path.path) }
        return preprocess.apply(to: text)
    }
}
