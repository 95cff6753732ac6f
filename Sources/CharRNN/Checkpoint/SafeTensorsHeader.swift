import Foundation

/// The parsed JSON header: metadata and tensor descriptions sorted by data offsets.
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
    static func parse(_ bytes: ArraySlice<UInt8>) throws -> SafeTensorsHeader {
        func fail(_ reason: SafeTensorsError.Reason) -> SafeTensorsError { SafeTensorsError(file: "<memory>", reason: reason) }
        let entries: [String: Entry]
        do {
            entries = try JSONDecoder().decode([String: Entry].self, from: Data(bytes))
        } catch let error as SafeTensorsError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            throw fail(.invalidJSON(Self.describe(context)))
        } catch let DecodingError.typeMismatch(_, context) {
            throw fail(.invalidJSON("the header must be a JSON object of objects (\(Self.describe(context)))"))
        } catch {
            throw fail(.invalidJSON("\(error)"))
        }
        var header = SafeTensorsHeader()
        for entry in entries.values {
            switch entry {
            case let .metadata(m): header.metadata = m
            case let .tensor(info): header.tensors.append(info)
            }
        }
        header.tensors.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        return header
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        var text = context.debugDescription
        if let underlying = context.underlyingError { text += " (\(underlying))" }
        return text
    }

    /// One value of the header object, decoded with the validation messages of `SafeTensorsError`.
    enum Entry: Decodable {
        case metadata([String: String])
        case tensor(Info)

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ s: String) { stringValue = s }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let name = decoder.codingPath.last?.stringValue ?? ""
            func fail(_ reason: SafeTensorsError.Reason) -> SafeTensorsError { SafeTensorsError(file: "<memory>", reason: reason) }
            if name == "__metadata__" {
                guard let m = try? decoder.singleValueContainer().decode([String: String].self) else {
                    throw fail(.invalidMetadata("must be an object whose values are all strings"))
                }
                self = .metadata(m)
                return
            }
            guard let c = try? decoder.container(keyedBy: Key.self) else {
                throw fail(.invalidField(tensor: name, field: "entry", value: "not an object"))
            }
            func field<T: Decodable>(_ key: String, _ type: T.Type, _ what: String) throws -> T {
                guard c.contains(Key(key)) else { throw fail(.missingField(tensor: name, field: key)) }
                guard let value = try? c.decode(T.self, forKey: Key(key)) else {
                    throw fail(.invalidField(tensor: name, field: key, value: "not \(what)"))
                }
                return value
            }
            let dtypeName = try field("dtype", String.self, "a string")
            let shape = try field("shape", [Int].self, "a list of integers")
            let offsets = try field("data_offsets", [Int].self, "a list of integers")
            guard let dtype = DType(rawValue: dtypeName) else { throw fail(.unknownDType(tensor: name, dtype: dtypeName)) }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw fail(.invalidField(tensor: name, field: "shape", value: "\(shape) has a negative dimension"))
            }
            guard offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw fail(.invalidField(tensor: name, field: "data_offsets", value: "\(offsets) is not [begin, end] with 0 <= begin <= end"))
            }
            self = .tensor(Info(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1]))
        }
    }
}
