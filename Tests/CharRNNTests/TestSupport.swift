import Foundation
@testable import CharRNN

/// Folder of ready datasets (RNNSWEEP_DATA_DIR, default ../shared/data from the package root).
func dataDirectory() -> URL {
    if let dir = ProcessInfo.processInfo.environment["RNNSWEEP_DATA_DIR"] { return URL(fileURLWithPath: dir) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data").standardized
}

/// Minimal RFC 4180 CSV reader (quoted fields may hold commas, quotes and newlines).
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var inQuotes = false
    var it = Array(text.unicodeScalars)[...]
    while let c = it.popFirst() {
        if inQuotes {
            if c == "\"" {
                if it.first == "\"" { field.unicodeScalars.append("\""); it.removeFirst() } else { inQuotes = false }
            } else { field.unicodeScalars.append(c) }
        } else if c == "\"" {
            inQuotes = true
        } else if c == "," {
            row.append(field); field = ""
        } else if c == "\n" || c == "\r" {
            if c == "\r", it.first == "\n" { it.removeFirst() }
            row.append(field); field = ""
            rows.append(row); row = []
        } else { field.unicodeScalars.append(c) }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

/// Largest violation of |a − b| <= atol + rtol·|b| over two arrays; returns (index, |a−b|, allowed).
struct Closeness {
    var worstIndex = -1
    var worstExcess = -Double.infinity
    var worstDiff = 0.0
    var maxDiff = 0.0
    var ok: Bool { worstExcess <= 0 }

    init<A: Collection<Float>, B: Collection<Float>>(_ a: A, _ b: B, atol: Double, rtol: Double) where A.Index == Int, B.Index == Int {
        precondition(a.count == b.count, "size mismatch \(a.count) vs \(b.count)")
        for (i, (x, y)) in zip(a, b).enumerated() {
            let d = abs(Double(x) - Double(y))
            let excess = d.isNaN ? .infinity : d - (atol + rtol * abs(Double(y)))
            maxDiff = max(maxDiff, d.isNaN ? .infinity : d)
            if excess > worstExcess { worstExcess = excess; worstIndex = i; worstDiff = d }
        }
    }
}

/// Copies a batch of Int32 into a fresh array pointer-friendly form.
extension Array where Element == Int32 {
    static func random(count: Int, below: Int, rng: inout SeededGenerator) -> [Int32] {
        (0..<count).map { _ in Int32(rng.nextInt(below: below)) }
    }
}
