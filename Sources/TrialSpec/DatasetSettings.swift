/// The dataset a trial trains on, identified by content (SHA-256), never by a local path, so the
/// trial id is the same on every machine.
public struct DatasetSettings: Codable, Sendable, Hashable {
    /// Registry name, or the file name without extension for a dataset given by path.
    public var name: String
    /// Lowercase hex SHA-256 of the raw file.
    public var sha256: String
    public var preprocess: Preprocessing

    public init(name: String, sha256: String, preprocess: Preprocessing = .none) {
        self.name = name
        self.sha256 = sha256
        self.preprocess = preprocess
    }
}
