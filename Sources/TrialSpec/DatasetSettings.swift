/// The dataset a trial trains on, identified by content (SHA-256), never by a local path, so the
/// trial id is the same on every machine.
public struct DatasetSettings: Codable, Sendable, Hashable {
    /// Registry name, or the file name without extension for a dataset given by path.
    public var name: String
    /// Lowercase hex SHA-256 of the raw file.
    public var sha256: String
    public var preprocess: Preprocessing
    /// The vocabulary holds d2l's `<unk>` token besides the text's characters (see `UnknownToken`).
    public var unkToken: Bool

    public init(name: String, sha256: String, preprocess: Preprocessing = .none, unkToken: Bool = false) {
        self.name = name
        self.sha256 = sha256
        self.preprocess = preprocess
        self.unkToken = unkToken
    }

    enum CodingKeys: String, CodingKey { case name, sha256, preprocess, unkToken = "unk_token" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), sha256: try c.decode(String.self, forKey: .sha256),
                  preprocess: try c.decodeIfPresent(Preprocessing.self, forKey: .preprocess) ?? .none,
                  unkToken: try c.decodeIfPresent(Bool.self, forKey: .unkToken) ?? false)
    }

    /// `unk_token` is written only when set, so datasets without it keep their trial ids.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(preprocess, forKey: .preprocess)
        if unkToken { try c.encode(unkToken, forKey: .unkToken) }
    }
}
