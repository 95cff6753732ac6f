import Foundation

/// Reads CSV cells out of a trial's config JSON. A key is looked up at the top level, then
/// inside the config's sections (`model`, `training`, `split`, ...), so both flat and sectioned
/// configs work. An unreadable config gives empty cells rather than a failed export.
struct ConfigColumns {
    private let root: [String: Any]
    private static let sections = ["model", "training", "split", "dataset", "generate"]
    /// The sections a key is looked up in, in order: the known ones, then any others by name.
    private let searchOrder: [String]

    init(json: String) {
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8))
        root = object as? [String: Any] ?? [:]
        searchOrder = Self.sections + root.keys.filter { !Self.sections.contains($0) }.sorted()
    }

    /// The columns of `json`, parsed once per distinct text: a trial's config never changes, and
    /// every live rewrite of results.csv reads every trial's (parsing them was most of its cost).
    static func parsed(_ json: String) -> ConfigColumns {
        parsedConfigs.columns(json)
    }

    func value(_ key: String) -> Any? {
        if let value = root[key], !(value is NSNull) { return value }
        for section in searchOrder {
            if let nested = root[section] as? [String: Any], let value = nested[key], !(value is NSNull) {
                return value
            }
        }
        return nil
    }

    /// The cell text of `key`; a split object shows its kind ("tail", "random", "none").
    func text(_ key: String) -> String {
        guard let value = value(key) else { return "" }
        if let object = value as? [String: Any], let kind = object["kind"] as? String { return kind }
        return Self.cellText(value)
    }

    func integer(_ key: String) -> Int? {
        guard let number = value(key) as? NSNumber, !Self.isBool(number) else { return nil }
        return Int(exactly: number.doubleValue)
    }

    /// JSON value → cell: strings as they are, numbers in full precision, containers as compact JSON.
    static func cellText(_ value: Any) -> String {
        switch value {
        case let string as String:
            return string
        case let number as NSNumber:
            if isBool(number) { return number.boolValue ? "true" : "false" }
            let type = String(cString: number.objCType)
            if type == "d" || type == "f" { return CSVNumber.text(number.doubleValue) }
            return String(number.int64Value)
        case is NSNull:
            return ""
        default:
            guard JSONSerialization.isValidJSONObject(value),
                  let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "" }
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// JSONSerialization gives booleans as NSNumber with objCType "c".
    private static func isBool(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}

/// Parsed configs by their JSON text (so a config changed in sweep.db is parsed anew). Bounded: a
/// store holds one config per trial, and the cache starts over beyond `limit` of them.
private let parsedConfigs = ParsedConfigs()

private final class ParsedConfigs: @unchecked Sendable {
    // Guarded by `lock`; `ConfigColumns` is only read after it is made.
    private let lock = NSLock()
    private var byJSON: [String: ConfigColumns] = [:]
    static let limit = 200_000

    func columns(_ json: String) -> ConfigColumns {
        lock.lock()
        if let cached = byJSON[json] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let made = ConfigColumns(json: json)
        lock.lock()
        if byJSON.count >= Self.limit { byJSON.removeAll() }
        byJSON[json] = made
        lock.unlock()
        return made
    }
}
