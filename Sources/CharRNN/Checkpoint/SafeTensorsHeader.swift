import SystemSupport

/// The parsed JSON header: metadata and tensor descriptions sorted by data offsets.
///
/// Read with the project's strict `JSONParser` (which also refuses a name given twice) rather than
/// a JSONDecoder: the coordinator inspects every uploaded checkpoint, and the decoder's generic
/// containers cost more than the rest of the inspection together.
struct SafeTensorsHeader {
    struct Info {
        var name: String
        var dtype: DType
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    var metadata: [String: String] = [:]
    var tensors: [Info] = []

    /// Throws `SafeTensorsError` (file `<memory>`; the caller names the file).
    static func parse(_ bytes: ArraySlice<UInt8>) throws(SafeTensorsError) -> SafeTensorsHeader {
        let document: JSONValue
        do {
            document = try JSONParser.parse(Array(bytes))
        } catch {
            throw fail(.invalidJSON("line \(error.line), column \(error.column): \(error.message)"))
        }
        guard let entries = document.objectValue else {
            throw fail(.invalidJSON("the header must be a JSON object of objects, not \(document.typeName)"))
        }
        var header = SafeTensorsHeader()
        for entry in entries {
            if entry.key == "__metadata__" {
                header.metadata = try metadata(entry.value)
            } else {
                header.tensors.append(try tensor(named: entry.key, entry.value))
            }
        }
        header.tensors.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        return header
    }

    /// `__metadata__`: an object whose values are all strings.
    private static func metadata(_ value: JSONValue) throws(SafeTensorsError) -> [String: String] {
        let members = value.objectValue ?? []
        let texts = members.compactMap { member in member.value.stringValue.map { (member.key, $0) } }
        guard value.objectValue != nil, texts.count == members.count else {
            throw fail(.invalidMetadata("must be an object whose values are all strings"))
        }
        return Dictionary(texts) { first, _ in first }
    }

    /// One tensor's description, with the format's checks; other keys are allowed and skipped.
    private static func tensor(named name: String, _ value: JSONValue) throws(SafeTensorsError) -> Info {
        guard value.objectValue != nil else { throw fail(.invalidField(tensor: name, field: "entry", value: "not an object")) }
        func field(_ key: String) throws(SafeTensorsError) -> JSONValue {
            guard let given = value[key] else { throw fail(.missingField(tensor: name, field: key)) }
            return given
        }
        func integers(_ key: String) throws(SafeTensorsError) -> [Int] {
            let items = try field(key).arrayValue
            let list = items?.compactMap(\.intValue) ?? []
            guard let items, list.count == items.count else {
                throw fail(.invalidField(tensor: name, field: key, value: "not a list of integers"))
            }
            return list
        }
        guard let dtypeName = try field("dtype").stringValue else {
            throw fail(.invalidField(tensor: name, field: "dtype", value: "not a string"))
        }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard let dtype = DType(rawValue: dtypeName) else { throw fail(.unknownDType(tensor: name, dtype: dtypeName)) }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw fail(.invalidField(tensor: name, field: "shape", value: "\(shape) has a negative dimension"))
        }
        guard offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
            throw fail(.invalidField(tensor: name, field: "data_offsets", value: "\(offsets) is not [begin, end] with 0 <= begin <= end"))
        }
        return Info(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    private static func fail(_ reason: SafeTensorsError.Reason) -> SafeTensorsError {
        SafeTensorsError(file: "<memory>", reason: reason)
    }
}
