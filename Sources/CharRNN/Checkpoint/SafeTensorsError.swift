import SystemSupport

/// A safetensors file that cannot be read or written; `description` names the file and the problem.
public struct SafeTensorsError: Error, Sendable, Equatable, CustomStringConvertible, SystemCallFailure {
    public enum Reason: Sendable, Equatable {
        case fileTooShort(size: Int)
        case headerBeyondFile(headerLength: UInt64, fileSize: Int)
        case invalidJSON(String)
        case invalidMetadata(String)
        case missingField(tensor: String, field: String)
        case invalidField(tensor: String, field: String, value: String)
        case unknownDType(tensor: String, dtype: String)
        case sizeMismatch(tensor: String, shape: [Int], dtype: DType, expected: Int, actual: Int)
        case overlappingOffsets(tensor: String, begin: Int, previous: String, previousEnd: Int)
        case gapInOffsets(tensor: String, begin: Int, expected: Int)
        case truncatedData(tensor: String, end: Int, available: Int)
        case trailingBytes(used: Int, available: Int)
        case duplicateTensor(String)
        case tensorNotFound(String)
        case wrongDType(tensor: String, expected: DType, actual: DType)
        case elementCountMismatch(tensor: String, shape: [Int], expected: Int)
        case io(operation: String, errorNumber: Int32, message: String)
    }

    /// The file path, or `<memory>` for bytes not read from a file.
    public var file: String
    public var reason: Reason

    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    /// A failed read or write of the file itself.
    init(_ failure: DurableFile.IOError) {
        self.init(file: failure.path, reason: .io(operation: failure.operation, errorNumber: failure.errorNumber, message: failure.reason))
    }

    /// The `errno` of a failed read or write of the file itself.
    public var systemErrorNumber: Int32? {
        if case let .io(_, errorNumber, _) = reason { return errorNumber }
        return nil
    }

    public var description: String { "safetensors file \(file): \(reasonText)" }

    private var reasonText: String {
        switch reason {
        case let .fileTooShort(size):
            return "only \(size) bytes, shorter than the 8-byte header length"
        case let .headerBeyondFile(length, size):
            return "header length \(length) goes beyond the end of the file (\(size) bytes)"
        case let .invalidJSON(detail):
            return "header is not valid JSON: \(detail)"
        case let .invalidMetadata(detail):
            return "invalid __metadata__: \(detail)"
        case let .missingField(tensor, field):
            return "tensor '\(tensor)' has no '\(field)'"
        case let .invalidField(tensor, field, value):
            return "tensor '\(tensor)' has an invalid '\(field)': \(value)"
        case let .unknownDType(tensor, dtype):
            return "tensor '\(tensor)' has unknown dtype '\(dtype)' (known: \(DType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case let .sizeMismatch(tensor, shape, dtype, expected, actual):
            return "tensor '\(tensor)' of shape \(shape) and dtype \(dtype.rawValue) needs \(expected) bytes but has \(actual)"
        case let .overlappingOffsets(tensor, begin, previous, previousEnd):
            return "tensor '\(tensor)' begins at \(begin), overlapping '\(previous)' which ends at \(previousEnd)"
        case let .gapInOffsets(tensor, begin, expected):
            return "tensor '\(tensor)' begins at \(begin) but the data is not contiguous (expected \(expected))"
        case let .truncatedData(tensor, end, available):
            return "data truncated: tensor '\(tensor)' ends at \(end) but only \(available) data bytes follow the header"
        case let .trailingBytes(used, available):
            return "\(available) data bytes follow the header but the tensors cover only \(used)"
        case let .duplicateTensor(name):
            return "tensor '\(name)' appears more than once"
        case let .tensorNotFound(name):
            return "no tensor named '\(name)'"
        case let .wrongDType(tensor, expected, actual):
            return "tensor '\(tensor)' is \(actual.rawValue), expected \(expected.rawValue)"
        case let .elementCountMismatch(tensor, shape, expected):
            return "tensor '\(tensor)' of shape \(shape) does not have the expected \(expected) elements"
        case let .io(operation, _, message):
            return "\(operation) failed: \(message)"
        }
    }
}
