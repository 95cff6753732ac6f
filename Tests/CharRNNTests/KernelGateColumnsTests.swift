@testable import CharRNN
import Testing

/// A thread's share of a recurrent product split by hidden units (the same units of every gate)
/// must give the bits the product per gate gives, and leave every other column alone.
@Suite struct KernelGateColumnsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let m: Int, k: Int, width: Int, gates: Int, units: Range<Int>
        var testDescription: String { "m\(m) k\(k) \(gates)x\(width) units \(units)" }
    }

    // K past one 256 block, M past one 120-row block, and gate columns that cross the 2048-column
    // block boundary of the packed B (gate 2 of 3 × 768 spans columns 1536–2303).
    static let cases: [Case] = [
        Case(m: 7, k: 32, width: 32, gates: 3, units: 16..<32),
        Case(m: 130, k: 300, width: 48, gates: 4, units: 0..<32),
        Case(m: 64, k: 768, width: 768, gates: 3, units: 384..<768),
        Case(m: 12, k: 20, width: 64, gates: 4, units: 0..<64),
    ]

    @Test(arguments: cases)
    func matchesTheProductPerGate(_ t: Case) {
        let n = t.gates * t.width, lda = t.k + 1, ldc = n + 5
        let a = randomMatrix(count: t.m * lda, seed: 21)
        let b = randomMatrix(count: n * t.k, seed: 22)
        let c0 = randomMatrix(count: t.m * ldc, seed: 23)
        var packed = [Float](repeating: .nan, count: GEMM.packedBCount(k: t.k, n: n))
        packed.withUnsafeMutableBufferPointer {
            GEMM.packB(transB: true, k: t.k, n: n, b: b, ldb: t.k, into: $0.baseAddress!)
        }
        var once = c0, perGate = c0
        once.withUnsafeMutableBufferPointer {
            GEMM.runGateColumns(m: t.m, k: t.k, a: a, lda: lda, packedB: packed, c: $0.baseAddress!, ldc: ldc,
                                units: t.units, width: t.width, gates: t.gates)
        }
        packed.withUnsafeBufferPointer { b in
            perGate.withUnsafeMutableBufferPointer { c in
                for gate in 0..<t.gates {
                    let first = gate * t.width + t.units.lowerBound
                    GEMM.blocked(transA: false, m: t.m, n: n, k: t.k, alpha: 1, a: a, lda: lda, b: .prepacked(b.baseAddress!),
                                 beta: 1, c: c.baseAddress!, ldc: ldc, columns: first..<(first + t.units.count))
                }
            }
        }
        #expect(once.map(\.bitPattern) == perGate.map(\.bitPattern))
        var changed = 0, untouched = 0
        for row in 0..<t.m {
            for column in 0..<ldc {
                let i = row * ldc + column
                let inShare = column < n && t.units.contains(column % t.width)
                if inShare && once[i] != c0[i] { changed += 1 }
                if !inShare && once[i].bitPattern == c0[i].bitPattern { untouched += 1 }
            }
        }
        #expect(changed == t.m * t.gates * t.units.count)
        #expect(untouched == t.m * (ldc - t.gates * t.units.count))
    }
}
