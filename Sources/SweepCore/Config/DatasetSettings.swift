/// The dataset a trial trains on, identified by content (SHA-256), never by a local path, so the
/// trial id is the same on every machine.
public struct DatasetSettings: Codable, Sendable, Hashable {
    public enum Preprocess: String, Codable, Sendable, CaseIterable {
        case none
        /// d2l's `re.sub('[^A-Za-z]+', ' ', text).lower()`.
        case lettersLowercase = "letters-lowercase"

        /// The text the model sees.
        public func apply(to text: String) -> String {
            switch self {
            case .none: return text
            case .lettersLowercase:
                var out = String.UnicodeScalarView()
                var inGap = false
                for scalar in text.unicodeScalars {
                    if ("A"..."Z").contains(scalar) {
                        out.append(Unicode.Scalar(UInt8(scalar.value + 32)))
                        inGap = false
                    } else if ("a"..."z").contains(scalar) {
                        out.append(scalar)
                        inGap = false
                    } else if !inGap {
                        out.append(" ")
                        inGap = true
                    }
                }
                return String(out)
            }
        }
    }

    /// Registry name, or the file name without extension for a dataset given by path.
    public var name: String
    /// Lowercase hex SHA-256 of the raw file.
    public var sha256: String
    public var preprocess: Preprocess

    public init(name: String, sha256: String, preprocess: Preprocess = .none) {
        self.name = name
        self.sha256 = sha256
        self.preprocess = preprocess
    }
}
