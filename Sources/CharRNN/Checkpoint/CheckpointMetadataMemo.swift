import Foundation

/// Decoded checkpoint metadata by its JSON text. The checkpoints of one sweep repeat the same
/// model, training, split, dataset, generation and vocabulary strings, and decoding them again was
/// most of the cost of reading a small checkpoint. Not thread-safe: one owner.
public final class CheckpointMetadataMemo {
    private struct Key: Hashable {
        let field: String
        let text: String
    }
    private var values: [Key: Any] = [:]
    /// Entries kept at most; beyond it the memo starts over (a sweep has few distinct strings).
    public let limit: Int

    public init(limit: Int = 4096) {
        self.limit = limit
    }

    /// The value `text` decodes to as metadata entry `field`, decoded once.
    func value<T: Decodable>(_ type: T.Type, key field: String, text: String) throws -> T {
        let key = Key(field: field, text: text)
        if let known = values[key] as? T { return known }
        let decoded = try JSONDecoder().decode(T.self, from: Data(text.utf8))
        if values.count >= limit { values.removeAll(keepingCapacity: true) }
        values[key] = decoded
        return decoded
    }
}
