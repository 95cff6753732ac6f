import SystemSupport

/// A HuggingFace safetensors file (https://github.com/huggingface/safetensors):
/// 8-byte little-endian header length N, N bytes of JSON
/// `{"__metadata__": {str: str}, "<name>": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}}`
/// padded with spaces to a multiple of 8, then the tensors' bytes back to back (offsets relative to
/// the first data byte). Files written here load with `safetensors.torch.load_file` and so with
/// `model.load_state_dict`; the reader checks everything the reference implementation checks.
public struct SafeTensorsFile: Sendable, Equatable {
    /// Free-form string map stored under `__metadata__` (training state, config, vocabulary).
    public var metadata: [String: String]
    /// Tensors in data order (the write order; a read file lists them by data offset).
    public var tensors: [TensorEntry]
    /// Where the file was read from (`<memory>` otherwise); used in error messages.
    public var source: String

    public init(metadata: [String: String] = [:], tensors: [TensorEntry] = [], source: String = "<memory>") {
        self.metadata = metadata
        self.tensors = tensors
        self.source = source
    }

    public static func == (a: SafeTensorsFile, b: SafeTensorsFile) -> Bool {
        a.metadata == b.metadata && a.tensors == b.tensors
    }

    public subscript(name: String) -> TensorEntry? {
        tensors.first { $0.name == name }
    }

    public var names: [String] { tensors.map(\.name) }

    /// Adds a tensor, or replaces the one with the same name in place.
    public mutating func set(_ tensor: TensorEntry) {
        if let i = tensors.firstIndex(where: { $0.name == tensor.name }) { tensors[i] = tensor } else { tensors.append(tensor) }
    }

    /// The named tensor; throws `tensorNotFound` naming this file.
    public func tensor(_ name: String) throws -> TensorEntry {
        guard let t = self[name] else { throw SafeTensorsError(file: source, reason: .tensorNotFound(name)) }
        return t
    }

    public func float32(_ name: String) throws -> [Float] { try located { try tensor(name).float32() } }
    public func float64(_ name: String) throws -> [Double] { try located { try tensor(name).float64() } }
    public func int32(_ name: String) throws -> [Int32] { try located { try tensor(name).int32() } }
    public func int64(_ name: String) throws -> [Int64] { try located { try tensor(name).int64() } }
    public func uint64(_ name: String) throws -> [UInt64] { try located { try tensor(name).uint64() } }
    public func uint8(_ name: String) throws -> [UInt8] { try located { try tensor(name).uint8() } }

    /// Copies an F32 tensor into parameter storage of exactly its element count.
    public func copyFloat32(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        try located { try tensor(name).copyFloat32(into: destination) }
    }

    /// Rewrites errors from a tensor so they name this file.
    private func located<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch var error as SafeTensorsError {
            error.file = source
            throw error
        }
    }

    /// Throws if two tensors share a name (the JSON header could not hold both).
    public func validate() throws {
        var seen = Set<String>()
        for t in tensors where !seen.insert(t.name).inserted || t.name == "__metadata__" {
            throw SafeTensorsError(file: source, reason: .duplicateTensor(t.name))
        }
    }

    /// The file's bytes. Header as the reference writer makes it: compact JSON, `__metadata__`
    /// first (omitted when empty; keys sorted), tensors in order, padded with spaces to 8 bytes.
    public func encoded() -> [UInt8] {
        var json = "{"
        var first = true
        if !metadata.isEmpty {
            json += "\"__metadata__\":{"
            json += metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(separator: ",")
            json += "}"
            first = false
        }
        var offset = 0
        for t in tensors {
            if !first { json += "," }
            first = false
            let end = offset + t.data.count
            json += "\(jsonString(t.name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":["
                + t.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        json += "}"
        var header = Array(json.utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))

        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        for t in tensors { bytes.append(contentsOf: t.data) }
        return bytes
    }

    /// Writes atomically: a temporary file in the same folder, fsync, rename over `path`, fsync the
    /// folder. A crash leaves either the old file or the new one, never a torn one.
    public func write(to path: String) throws {
        try validate()
        do { try DurableFile.replace(atPath: path, with: encoded()) } catch { throw SafeTensorsError(error) }
    }

    public static func read(path: String) throws -> SafeTensorsFile {
        let bytes: [UInt8]
        do { bytes = try DurableFile.read(atPath: path) } catch { throw SafeTensorsError(error) }
        return try SafeTensorsFile(bytes: bytes, source: path)
    }

    /// Parses and validates file bytes; errors name `source`.
    public init(bytes: [UInt8], source: String = "<memory>") throws {
        func fail(_ reason: SafeTensorsError.Reason) -> SafeTensorsError { SafeTensorsError(file: source, reason: reason) }
        guard bytes.count >= 8 else { throw fail(.fileTooShort(size: bytes.count)) }
        let headerLength = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail(.headerBeyondFile(headerLength: headerLength, fileSize: bytes.count))
        }
        let dataStart = 8 + Int(headerLength)
        let header: SafeTensorsHeader
        do {
            header = try SafeTensorsHeader.parse(bytes[8..<dataStart])
        } catch var error {
            error.file = source
            throw error
        }

        let available = bytes.count - dataStart
        var tensors = [TensorEntry]()
        var expectedBegin = 0
        var previous: (name: String, end: Int)?
        for info in header.tensors { // sorted by offsets
            guard let elements = TensorEntry.elementCount(info.shape) else {
                throw fail(.invalidField(tensor: info.name, field: "shape", value: "\(info.shape)"))
            }
            let (needed, overflow) = elements.multipliedReportingOverflow(by: info.dtype.byteSize)
            guard !overflow, needed == info.end - info.begin else {
                throw fail(.sizeMismatch(tensor: info.name, shape: info.shape, dtype: info.dtype,
                                         expected: overflow ? Int.max : needed, actual: info.end - info.begin))
            }
            if info.begin < expectedBegin, let previous {
                throw fail(.overlappingOffsets(tensor: info.name, begin: info.begin, previous: previous.name, previousEnd: previous.end))
            }
            guard info.begin == expectedBegin else {
                throw fail(.gapInOffsets(tensor: info.name, begin: info.begin, expected: expectedBegin))
            }
            guard info.end <= available else {
                throw fail(.truncatedData(tensor: info.name, end: info.end, available: available))
            }
            tensors.append(TensorEntry(validated: info.name, dtype: info.dtype, shape: info.shape,
                                       data: Array(bytes[(dataStart + info.begin)..<(dataStart + info.end)])))
            expectedBegin = info.end
            previous = (info.name, info.end)
        }
        guard expectedBegin == available else { throw fail(.trailingBytes(used: expectedBegin, available: available)) }
        self.init(metadata: header.metadata, tensors: tensors, source: source)
    }
}

/// JSON string literal escaped as serde_json does (quote, backslash, control characters).
private func jsonString(_ s: String) -> String { JSONWriter.quoted(s, shortControlEscapes: true) }
