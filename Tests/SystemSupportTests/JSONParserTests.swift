import Testing
@testable import SystemSupport

@Suite struct JSONParserTests {
    @Test func keepsObjectKeyOrder() throws {
        let value = try JSONParser.parse(#"{"z": 1, "a": [true, null], "m": {"y": "x", "b": 2.50}}"#)
        #expect(value.objectValue?.map(\.key) == ["z", "a", "m"])
        #expect(value["m"]?.objectValue?.map(\.key) == ["y", "b"])
        #expect(value["m"]?["b"] == .number("2.50"))
        #expect(JSONWriter.compact(value) == #"{"z":1,"a":[true,null],"m":{"y":"x","b":2.50}}"#)
    }

    @Test func canonicalFormSortsKeysAndNormalisesNumbers() throws {
        let first = try JSONParser.parse(#"{"b": 5.0, "a": 1e-3, "c": [10, -0.0]}"#)
        let second = try JSONParser.parse(#"{"c": [1e1, 0], "a": 0.001, "b": 5}"#)
        #expect(JSONWriter.canonical(first) == #"{"a":0.001,"b":5,"c":[10,0]}"#)
        #expect(JSONWriter.canonical(first) == JSONWriter.canonical(second))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#"["a\n\"b\"\\", "\u00e9\ud83d\ude00", "tab\there"]"#)
        #expect(value.arrayValue?.compactMap(\.stringValue) == ["a\n\"b\"\\", "é😀", "tab\there"])
        #expect(try JSONParser.parse(JSONWriter.compact(value)) == value)
    }

    /// JSON inside a JSON string, the shape of a checkpoint's metadata: every quote escaped,
    /// multi-byte text between escapes, thousands of records.
    @Test func readsJSONNestedInALongEscapedString() throws {
        let records = (0..<5_000).map { #"{"epoch":\#($0),"note":"é😀\t\#($0)"}"# }
        let inner = "[" + records.joined(separator: ",") + "]"
        let outer = try JSONParser.parse(JSONWriter.compact(.object([JSONMember("history", .string(inner))])))
        #expect(outer["history"]?.stringValue == inner)
        #expect(try JSONParser.parse(inner).arrayValue?.count == 5_000)
        // Bad bytes between two escapes are found where they are.
        var broken = Array(#"["ab\n"#.utf8) + [0xC3] + Array(#"\tcd"]"#.utf8)
        #expect(throws: JSONParser.SyntaxError(line: 1, column: 8, message: "invalid UTF-8 in a string")) { try JSONParser.parse(broken) }
        broken = Array(#"["ab"#.utf8) + [0xFF] + Array(#"cd"]"#.utf8)
        #expect(throws: JSONParser.SyntaxError(line: 1, column: 8, message: "invalid UTF-8 in a string")) { try JSONParser.parse(broken) }
    }

    @Test func reportsPositionOfSyntaxErrors() {
        #expect(throws: JSONParser.SyntaxError(line: 2, column: 11, message: "unexpected '}', expected a key in double quotes")) {
            try JSONParser.parse("{\"a\": 1,\n  \"b\": 2, }")
        }
        #expect(throws: JSONParser.SyntaxError(line: 1, column: 10, message: "duplicate key \"a\"")) {
            try JSONParser.parse(#"{"a": 1, "a": 2}"#)
        }
        #expect(throws: JSONParser.SyntaxError(line: 1, column: 2, message: "invalid number, leading zeros are not allowed")) {
            try JSONParser.parse("01")
        }
    }

    @Test func rejectsDeepNestingWithoutCrashing() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(deep) }
    }

    @Test func integerAndDoubleAccessors() throws {
        #expect(JSONValue.number("3").intValue == 3)
        #expect(JSONValue.number("3.0").intValue == nil)
        #expect(JSONValue.number("1e3").intValue == nil)
        #expect(JSONValue.number("1e3").doubleValue == 1000)
        #expect(JSONValue.number("1e999").doubleValue == nil)
    }
}
