/// Element types a safetensors file may hold here (the names are the format's `dtype` strings).
public enum DType: String, Sendable, Codable, CaseIterable {
    case F32, F64, I32, I64, U8, U64

    public var byteSize: Int {
        switch self {
        case .U8: return 1
        case .F32, .I32: return 4
        case .F64, .I64, .U64: return 8
        }
    }
}

/// One named tensor: dtype, shape and its raw little-endian bytes.
public struct TensorEntry: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    public let data: [UInt8]

    /// Throws unless the shape is non-negative and `data` holds exactly shape x dtype bytes.
    public init(name: String, dtype: DType, shape: [Int], data: [UInt8]) throws {
        guard let elements = Self.elementCount(shape) else {
            throw SafeTensorsError(file: "<memory>", reason: .invalidField(tensor: name, field: "shape", value: "\(shape)"))
        }
        guard elements * dtype.byteSize == data.count else {
            throw SafeTensorsError(file: "<memory>", reason: .sizeMismatch(
                tensor: name, shape: shape, dtype: dtype, expected: elements * dtype.byteSize, actual: data.count))
        }
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// Already validated by the reader.
    init(validated name: String, dtype: DType, shape: [Int], data: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    public init(name: String, shape: [Int], float32 values: [Float]) throws {
        try self.init(name: name, dtype: .F32, shape: shape, data: Self.bytes(values.map(\.bitPattern)))
    }
    public init(name: String, shape: [Int], float64 values: [Double]) throws {
        try self.init(name: name, dtype: .F64, shape: shape, data: Self.bytes(values.map(\.bitPattern)))
    }
    public init(name: String, shape: [Int], int32 values: [Int32]) throws {
        try self.init(name: name, dtype: .I32, shape: shape, data: Self.bytes(values))
    }
    public init(name: String, shape: [Int], int64 values: [Int64]) throws {
        try self.init(name: name, dtype: .I64, shape: shape, data: Self.bytes(values))
    }
    public init(name: String, shape: [Int], uint64 values: [UInt64]) throws {
        try self.init(name: name, dtype: .U64, shape: shape, data: Self.bytes(values))
    }
    public init(name: String, shape: [Int], uint8 values: [UInt8]) throws {
        try self.init(name: name, dtype: .U8, shape: shape, data: values)
    }

    /// Float32 tensor straight from a buffer (model parameters), without an intermediate array.
    public init(name: String, shape: [Int], float32 buffer: UnsafeBufferPointer<Float>) throws {
        var data = [UInt8](repeating: 0, count: buffer.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, v) in buffer.enumerated() { raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
        }
        try self.init(name: name, dtype: .F32, shape: shape, data: data)
    }

    /// Number of elements (product of the shape; 1 for a scalar).
    public var elementCount: Int { Self.elementCount(shape) ?? 0 }

    /// Product of the dimensions, nil if one is negative or the product overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            n = p
        }
        return n
    }

    static func bytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        let size = MemoryLayout<T>.size
        var data = [UInt8](repeating: 0, count: values.count * size)
        data.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() { raw.storeBytes(of: v.littleEndian, toByteOffset: i * size, as: T.self) }
        }
        return data
    }

    func integers<T: FixedWidthInteger>(_: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        return data.withUnsafeBytes { raw in
            (0..<data.count / size).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * size, as: T.self)) }
        }
    }

    /// Values as Float; throws unless the dtype is F32.
    public func float32() throws -> [Float] { try check(.F32); return integers(UInt32.self).map(Float.init(bitPattern:)) }
    public func float64() throws -> [Double] { try check(.F64); return integers(UInt64.self).map(Double.init(bitPattern:)) }
    public func int32() throws -> [Int32] { try check(.I32); return integers(Int32.self) }
    public func int64() throws -> [Int64] { try check(.I64); return integers(Int64.self) }
    public func uint64() throws -> [UInt64] { try check(.U64); return integers(UInt64.self) }
    public func uint8() throws -> [UInt8] { try check(.U8); return data }

    /// Copies an F32 tensor into `destination` (model parameters), which must have exactly
    /// `elementCount` slots.
    public func copyFloat32(into destination: UnsafeMutableBufferPointer<Float>) throws {
        try check(.F32)
        guard destination.count == data.count / 4 else {
            throw SafeTensorsError(file: "<memory>", reason: .elementCountMismatch(
                tensor: name, shape: shape, expected: destination.count))
        }
        data.withUnsafeBytes { raw in
            for i in 0..<destination.count {
                destination[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
            }
        }
    }

    private func check(_ expected: DType) throws {
        guard dtype == expected else {
            throw SafeTensorsError(file: "<memory>", reason: .wrongDType(tensor: name, expected: expected, actual: dtype))
        }
    }
}
