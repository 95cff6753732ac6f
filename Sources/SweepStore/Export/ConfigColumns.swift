import Foundation

/// Reads CSV cells out of a trial's config JSON. A key is looked up at the top level, then
/// inside the config's sections (`model`, `training`, `split`, ...), so both flat and sectioned
/// configs work. An unreadable config gives empty cells rather than a failed export.
struct ConfigColumns {
    private let root: [String: Any]
    private static let sections = ["model", "training", "split", "dataset", "generate"]

    init(json: String) {
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8))
        root = object as? [String: Any] ?? [:]
    }

    func value(_ key: String) -> Any? {
        if let value = root[key], !(value is NSNull) { return value }
        let otherSections = root.keys.filter { !Self.sections.contains($0) }.sorted()
        for section in Self.sections + otherSections {
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
