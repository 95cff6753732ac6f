/// Text normalisation applied before the vocabulary is built.
public enum Preprocessing: String, Codable, Sendable, CaseIterable {
    /// The text as is.
    case none
    /// d2l's `re.sub('[^A-Za-z]+', ' ', text).lower()`: every run of characters other than ASCII
    /// letters becomes one space, letters are lowercased.
    case lettersLowercase = "letters-lowercase"

    public func apply(to text: String) -> String {
        switch self {
        case .none:
            return text
        case .lettersLowercase:
            // Works on UTF-8 bytes: ASCII letters are single bytes and every byte of a multi-byte
            // character is >= 0x80, so a non-ASCII character is simply part of a separator run.
            var out = [UInt8]()
            out.reserveCapacity(text.utf8.count)
            var inRun = false
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    out.append(byte + 32)
                    inRun = false
                case UInt8(ascii: "a")...UInt8(ascii: "z"):
                    out.append(byte)
                    inRun = false
                default:
                    if !inRun { out.append(UInt8(ascii: " ")) }
                    inRun = true
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
