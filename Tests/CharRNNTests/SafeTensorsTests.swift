import Foundation
import Testing
@testable import CharRNN

@Suite struct SafeTensorsTests {
    static func sample() throws -> SafeTensorsFile {
        try SafeTensorsFile(metadata: ["config": #"{"cell":"lstm"}"#, "vocabulary": "\n \"\\\u{E9}\t", "step": "12"], tensors: [
            TensorEntry(name: "embedding.weight", shape: [2, 3], float32: [0.5, -1.25, 3, .pi, -0.0, .greatestFiniteMagnitude]),
            TensorEntry(name: "adam.step", shape: [], int64: [Int64.min]),
            TensorEntry(name: "rng", shape: [4], uint64: [0, 1, .max, 0x9E37_79B9_7F4A_7C15]),
            TensorEntry(name: "cursor", shape: [1, 2], int32: [-7, .max]),
            TensorEntry(name: "bytes", shape: [3], uint8: [0, 128, 255]),
            TensorEntry(name: "empty", shape: [0, 5], float32: []),
            TensorEntry(name: "moments", shape: [2], float64: [.pi, -2.5e-300]),
        ])
    }

    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "rnnsweep-safetensors-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A file from a raw header text and data bytes (for corrupt inputs).
    static func file(header: String, data: [UInt8]) -> [UInt8] {
        var h = Array(header.utf8)
        h += [UInt8](repeating: 0x20, count: (8 - h.count % 8) % 8)
        return withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h + data
    }

    static func reason(_ bytes: [UInt8]) -> SafeTensorsError.Reason? {
        do {
            _ = try SafeTensorsFile(bytes: bytes, source: "bad.safetensors")
            return nil
        } catch let error as SafeTensorsError {
            #expect(error.description.hasPrefix("safetensors file bad.safetensors: "))
            return error.reason
        } catch {
            return nil
        }
    }

    @Test func roundTripInMemoryKeepsOrderValuesAndMetadata() throws {
        let original = try Self.sample()
        let bytes = original.encoded()
        let headerLength = bytes.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        #expect(headerLength % 8 == 0 && bytes[8] == UInt8(ascii: "{"))
        #expect(bytes.count == 8 + headerLength + 24 + 8 + 32 + 8 + 3 + 0 + 16)
        let read = try SafeTensorsFile(bytes: bytes)
        #expect(read == original)
        #expect(read.names == ["embedding.weight", "adam.step", "rng", "cursor", "bytes", "empty", "moments"])
        #expect(try read.float32("embedding.weight") == [0.5, -1.25, 3, .pi, -0.0, .greatestFiniteMagnitude])
        #expect(try read.float32("embedding.weight")[4].sign == .minus)
        #expect(try read.int64("adam.step") == [Int64.min])
        #expect(try read.uint64("rng") == [0, 1, .max, 0x9E37_79B9_7F4A_7C15])
        #expect(try read.int32("cursor") == [-7, .max])
        #expect(try read.uint8("bytes") == [0, 128, 255])
        #expect(try read.float64("moments") == [.pi, -2.5e-300])
        #expect(read["empty"]?.shape == [0, 5])
        #expect(read.encoded() == bytes)
        var parameters = [Float](repeating: 0, count: 6)
        try parameters.withUnsafeMutableBufferPointer { try read.copyFloat32("embedding.weight", into: $0) }
        #expect(parameters == [0.5, -1.25, 3, .pi, -0.0, .greatestFiniteMagnitude])
    }

    @Test func writeIsAtomicAndReadsBack() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/model.safetensors"
        var file = try Self.sample()
        try file.write(to: path)
        file.metadata["step"] = "13"
        try file.write(to: path) // replaces
        let read = try SafeTensorsFile.read(path: path)
        #expect(read == file && read.source == path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["model.safetensors"]) // no temporaries left
        // A copy for checking by hand that Python's safetensors loads Swift's files.
        try file.write(to: NSTemporaryDirectory() + "rnnsweep-swift-written.safetensors")
    }

    @Test func writeIntoAMissingFolderNamesThePath() throws {
        let error = #expect(throws: SafeTensorsError.self) {
            try Self.sample().write(to: "/nonexistent-rnnsweep/model.safetensors")
        }
        #expect(error?.description.contains("/nonexistent-rnnsweep/") == true)
        #expect(error?.description.contains("No such file or directory") == true)
    }

    @Test func readingAMissingFileNamesIt() {
        #expect(throws: SafeTensorsError(file: "/nonexistent-rnnsweep.safetensors",
                                         reason: .io(operation: "open", errorNumber: ENOENT, message: "No such file or directory"))) {
            try SafeTensorsFile.read(path: "/nonexistent-rnnsweep.safetensors")
        }
    }

    @Test func duplicateNamesAreRefusedOnWrite() throws {
        var file = try Self.sample()
        file.tensors.append(try TensorEntry(name: "rng", shape: [1], uint8: [1]))
        #expect(throws: SafeTensorsError(file: "<memory>", reason: .duplicateTensor("rng"))) { try file.validate() }
        file.tensors.removeLast()
        file.set(try TensorEntry(name: "rng", shape: [1], uint8: [1]))
        #expect(file.names.count == 7 && file["rng"]?.dtype == .U8)
    }

    @Test func accessorsNameTheFileTensorAndDType() throws {
        var file = try Self.sample()
        file.source = "ckpt.safetensors"
        #expect(throws: SafeTensorsError(file: "ckpt.safetensors", reason: .tensorNotFound("fc.0.weight"))) { try file.float32("fc.0.weight") }
        #expect(throws: SafeTensorsError(file: "ckpt.safetensors", reason: .wrongDType(tensor: "rng", expected: .F32, actual: .U64))) { try file.float32("rng") }
        var tooSmall = [Float](repeating: 0, count: 5)
        #expect(throws: SafeTensorsError.self) { try tooSmall.withUnsafeMutableBufferPointer { try file.copyFloat32("embedding.weight", into: $0) } }
        #expect(throws: SafeTensorsError(file: "<memory>", reason: .sizeMismatch(tensor: "w", shape: [2, 2], dtype: .F32, expected: 16, actual: 12))) {
            try TensorEntry(name: "w", shape: [2, 2], float32: [1, 2, 3])
        }
    }

    /// Written by Python (safetensors 0.8.0, numpy 2.4.6):
    /// save_file({"embedding.weight": f32 [[0.5,-1.25,3],[1e-8,-0.0,65504]], "fc.0.bias": f32 [0.1,0.2,0.3],
    ///   "step": i64 42 (shape []), "rng": u64 [1, 2**63, 2**64-1, 12345], "vocab_ids": u8 [0,7,255],
    ///   "moments": f64 [pi, -2.5e-300], "cursor": i32 [[-7, 2147483647]], "empty": f32 zeros (0,4)},
    ///   path, metadata={"vocabulary": "\n !\"\\é\tz"})
    @Test func readsAFileWrittenByPythonAndWritesTheSameBytes() throws {
        let path = TestData.fixture("safetensors_python.safetensors")
        let file = try SafeTensorsFile.read(path: path)
        #expect(file.metadata == ["vocabulary": "\n !\"\\\u{E9}\tz"])
        // Python orders tensors by dtype alignment, then name.
        #expect(file.names == ["rng", "step", "moments", "embedding.weight", "empty", "fc.0.bias", "cursor", "vocab_ids"])
        #expect(try file.float32("embedding.weight") == [0.5, -1.25, 3, 1e-8, -0.0, 65504])
        #expect(try file.float32("embedding.weight")[4].sign == .minus)
        #expect(file["embedding.weight"]?.shape == [2, 3])
        #expect(try file.float32("fc.0.bias") == [0.1, 0.2, 0.3])
        #expect(try file.int64("step") == [42] && file["step"]?.shape == [])
        #expect(try file.uint64("rng") == [1, 1 << 63, .max, 12345])
        #expect(try file.uint8("vocab_ids") == [0, 7, 255])
        #expect(try file.float64("moments") == [.pi, -2.5e-300])
        #expect(try file.int32("cursor") == [-7, .max] && file["cursor"]?.shape == [1, 2])
        #expect(file["empty"]?.shape == [0, 4] && file["empty"]?.data.isEmpty == true)
        // Swift's writer produces Python's exact bytes for the same content.
        let pythonBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(file.encoded() == pythonBytes)
    }

    @Test func eachCorruptionGivesItsError() {
        let f32x2 = [UInt8](repeating: 0, count: 8)
        #expect(Self.reason([1, 2, 3, 4, 5]) == .fileTooShort(size: 5))
        var beyond = [UInt8](repeating: 0x20, count: 100)
        beyond.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(1000).littleEndian) { Array($0) })
        #expect(Self.reason(beyond) == .headerBeyondFile(headerLength: 1000, fileSize: 100))
        #expect(Self.reason([UInt8](repeating: 0xFF, count: 8)) == .headerBeyondFile(headerLength: .max, fileSize: 8))

        guard case .invalidJSON? = Self.reason(Self.file(header: #"{"a": {"dtype": "F32""#, data: [])) else {
            Issue.record("truncated JSON not reported as invalid JSON"); return
        }
        guard case .invalidJSON? = Self.reason(Self.file(header: "[1, 2]", data: [])) else {
            Issue.record("non-object header not reported as invalid JSON"); return
        }
        #expect(Self.reason(Self.file(header: #"{"w": {"shape": [2], "data_offsets": [0, 8]}}"#, data: f32x2))
                == .missingField(tensor: "w", field: "dtype"))
        #expect(Self.reason(Self.file(header: #"{"w": {"dtype": "F32", "data_offsets": [0, 8]}}"#, data: f32x2))
                == .missingField(tensor: "w", field: "shape"))
        #expect(Self.reason(Self.file(header: #"{"w": {"dtype": "F32", "shape": [2]}}"#, data: f32x2))
                == .missingField(tensor: "w", field: "data_offsets"))
        #expect(Self.reason(Self.file(header: #"{"w": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 8]}}"#, data: f32x2))
                == .unknownDType(tensor: "w", dtype: "Q7"))
        #expect(Self.reason(Self.file(header: #"{"w": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]}}"#, data: f32x2))
                == .invalidField(tensor: "w", field: "shape", value: "not a list of integers"))
        #expect(Self.reason(Self.file(header: #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}"#, data: f32x2))
                == .invalidField(tensor: "w", field: "data_offsets", value: "[8, 0] is not [begin, end] with 0 <= begin <= end"))
        #expect(Self.reason(Self.file(header: #"{"__metadata__": {"a": 1}}"#, data: []))
                == .invalidMetadata("must be an object whose values are all strings"))
        #expect(Self.reason(Self.file(header: #"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, data: f32x2))
                == .sizeMismatch(tensor: "w", shape: [3], dtype: .F32, expected: 12, actual: 8))
        #expect(Self.reason(Self.file(header: #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#, data: f32x2 + f32x2))
                == .overlappingOffsets(tensor: "b", begin: 4, previous: "a", previousEnd: 8))
        #expect(Self.reason(Self.file(header: #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [12, 20]}}"#, data: f32x2 + f32x2 + f32x2))
                == .gapInOffsets(tensor: "b", begin: 12, expected: 8))
        #expect(Self.reason(Self.file(header: #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#, data: f32x2 + f32x2))
                == .gapInOffsets(tensor: "w", begin: 4, expected: 0))
        #expect(Self.reason(Self.file(header: #"{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#, data: f32x2))
                == .truncatedData(tensor: "w", end: 16, available: 8))
        #expect(Self.reason(Self.file(header: #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, data: f32x2 + [1]))
                == .trailingBytes(used: 8, available: 9))
        // A real file cut short.
        let bytes = (try? Self.sample().encoded()) ?? []
        guard case .truncatedData(tensor: "moments", _, _)? = Self.reason(Array(bytes.dropLast(3))) else {
            Issue.record("truncated file not reported as truncated data"); return
        }
    }

    /// The header is read as strict JSON: every form a writer may use, nothing that is not JSON.
    @Test func theHeaderReaderFollowsJSON() throws {
        let f32x2 = [UInt8](repeating: 0, count: 8)
        func header(_ text: String, data: [UInt8] = [UInt8](repeating: 0, count: 8)) throws -> SafeTensorsFile {
            try SafeTensorsFile(bytes: Self.file(header: text, data: data))
        }
        // Escapes, a surrogate pair, whitespace everywhere, unknown keys of any kind skipped.
        let file = try header("""
             { "__metadata__" : { "v" : "a\\u00e9\\ud83d\\ude00\\n\\/\\"" , "plain": "x" } ,
               "w\\u0031" : { "extra": {"deep": [1, -2.5e+3, true, false, null, "s"]}, "dtype" : "F32",
                              "shape" : [ 2 ] , "data_offsets" : [ 0 , 8 ] } }
            """)
        #expect(file.metadata == ["v": "a\u{E9}\u{1F600}\n/\"", "plain": "x"])
        #expect(file.names == ["w1"] && file["w1"]?.shape == [2])
        #expect(try header(#"{"s": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0])["s"]?.shape == [])
        // Not integers, not lists, not objects: the field's error.
        for shape in ["[2.0]", "[2e0]", "[-0.5]", "\"2\"", "null", "[99999999999999999999]"] {
            #expect(Self.reason(Self.file(header: #"{"w": {"dtype": "F32", "shape": \#(shape), "data_offsets": [0, 8]}}"#, data: f32x2))
                    == .invalidField(tensor: "w", field: "shape", value: "not a list of integers"), "shape \(shape)")
        }
        #expect(Self.reason(Self.file(header: #"{"w": {"dtype": 7, "shape": [2], "data_offsets": [0, 8]}}"#, data: f32x2))
                == .invalidField(tensor: "w", field: "dtype", value: "not a string"))
        #expect(Self.reason(Self.file(header: #"{"w": [1]}"#, data: [])) == .invalidField(tensor: "w", field: "entry", value: "not an object"))
        #expect(Self.reason(Self.file(header: #"{"__metadata__": "x"}"#, data: [])) == .invalidMetadata("must be an object whose values are all strings"))
        guard case .invalidJSON? = Self.reason(Self.file(header: #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, data: f32x2)) else {
            Issue.record("a tensor named twice is not reported as invalid JSON"); return
        }
        // Broken JSON of every kind is invalid JSON, never a crash.
        let broken = [#"{"w": {"dtype": "F32""#, #"{"w" {"#, #"{"w": {"dtype": "F3\#u{01}2"}}"#, #"{"a": "\q"}"#,
                      #"{"a": "\ud800"}"#, #"{"a": "\ud800\u0041"}"#, #"{"a": tru}"#, #"{"a": -}"#, #"{"a": 1.}"#,
                      #"{"a": {"b": 1,}}"#, #"{"a": [1 2]}"#, #"{"a": [02]}"#, #"{} x"#, #"{"a": "\u12"}"#, #"{"a": "#
                        + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}", ""]
        for text in broken {
            guard case .invalidJSON? = Self.reason(Self.file(header: text, data: [])) else {
                Issue.record("\(text.debugDescription) is not reported as invalid JSON: \(String(describing: Self.reason(Self.file(header: text, data: []))))")
                continue
            }
        }
        let invalidUTF8 = [UInt8](#"{"__metadata__": {"a": ""#.utf8) + [0xC3, 0x28] + [UInt8](#""}}"#.utf8)
        guard case .invalidJSON? = Self.reason(Self.file(bytes: invalidUTF8)) else {
            Issue.record("invalid UTF-8 not reported as invalid JSON"); return
        }
    }

    static func file(bytes header: [UInt8]) -> [UInt8] {
        let h = header + [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        return withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h
    }
}
