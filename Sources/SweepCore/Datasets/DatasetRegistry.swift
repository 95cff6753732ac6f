import Foundation

/// Datasets known by name: where to download them and what they must hash to (README "Sweep files").
public struct DatasetRegistry: Sendable {
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var url: URL
        public var byteCount: Int
        /// Lowercase hex SHA-256.
        public var sha256: String

        public init(name: String, url: URL, byteCount: Int, sha256: String) {
            self.name = name
            self.url = url
            self.byteCount = byteCount
            self.sha256 = sha256
        }

        /// The file name used in data and cache folders.
        public var fileName: String { name + ".txt" }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    public func entry(sha256: String) -> Entry? { entries.first { $0.sha256 == sha256 } }

    /// Names, sorted, for messages.
    public var names: [String] { entries.map(\.name).sorted() }

    /// The same entries downloading from `base` + file name (tests point this at a closed port).
    public func withDownloads(from base: URL) -> DatasetRegistry {
        DatasetRegistry(entries: entries.map { entry in
            var moved = entry
            moved.url = base.appendingPathComponent(entry.fileName)
            return moved
        })
    }

    public static let standard = DatasetRegistry(entries: [
        Entry(name: "tinyshakespeare",
              url: URL(string: "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt")!,
              byteCount: 1_115_394, sha256: "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"),
        Entry(name: "timemachine",
              url: URL(string: "http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt")!,
              byteCount: 178_979, sha256: "8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516"),
        Entry(name: "nextchar",
              url: URL(string: "https://raw.githubusercontent.com/Mikestriken/Deep-Learning-Class/main/Homework3/problem1CharSet.txt")!,
              byteCount: 2_386, sha256: "1d6cb8fa308fe6f46c74216cf6049892634c1ea67ad9e16674d935a8474b5ec0"),
    ])
}
