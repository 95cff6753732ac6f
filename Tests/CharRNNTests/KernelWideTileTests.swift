@testable import CharRNN
import CharRNNTile
import Testing

/// The 16-wide AVX-512 tile and the pair of 8-wide tiles must give the same bits, so a result never
/// depends on which CPU trained it; and the CPU check must read what Linux reports.
@Suite struct KernelWideTileTests {
    /// Every tile shape (1–12 rows × 1–16 columns), with and without beta, on random panels.
    @Test(.enabled(if: CPUFeatures.hasAVX512, "no AVX-512 on this CPU, or RNNSWEEP_GEMM_TILE=8"))
    func wideTileEqualsTwoNarrowTilesBitForBit() {
        for k in [1, 7, 64] {
            let a = randomMatrix(count: GEMM.mr * k, seed: UInt64(k))
            let b = randomMatrix(count: GEMM.nr * k, seed: UInt64(k) + 100)
            let c0 = randomMatrix(count: 12 * 20, seed: UInt64(k) + 200)
            for rows in 1...12 {
                for columns in 1...16 {
                    for (alpha, beta): (Float, Float) in [(1, 0), (0.75, 1), (-1.5, 0.25)] {
                        var wide = c0, narrow = c0
                        a.withUnsafeBufferPointer { a in
                            b.withUnsafeBufferPointer { b in
                                wide.withUnsafeMutableBufferPointer { c in
                                    RegisterTile.wideTile(k: k, a: a.baseAddress!, b: b.baseAddress!, alpha: alpha, beta: beta,
                                                         c: c.baseAddress!, ldc: 20, rows: rows, columns: columns)
                                }
                                narrow.withUnsafeMutableBufferPointer { c in
                                    GEMM.halfTile(k: k, a: a.baseAddress!, b: b.baseAddress!, alpha: alpha, beta: beta,
                                                  c: c.baseAddress!, ldc: 20, rows: rows, columns: min(columns, 8))
                                    if columns > 8 {
                                        GEMM.halfTile(k: k, a: a.baseAddress!, b: b.baseAddress! + 8, alpha: alpha, beta: beta,
                                                      c: c.baseAddress! + 8, ldc: 20, rows: rows, columns: columns - 8)
                                    }
                                }
                            }
                        }
                        #expect(wide.map(\.bitPattern) == narrow.map(\.bitPattern),
                                "k \(k), \(rows)×\(columns), alpha \(alpha), beta \(beta)")
                    }
                }
            }
        }
    }

    @Test func readsTheFlagsOfTheFirstProcessor() {
        let text = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512dq\nbugs\t\t: spectre\n\nprocessor\t: 1\nflags\t\t: fpu\n"
        #expect(CPUFeatures.cpuFlags(fromCPUInfo: text) == ["fpu", "avx2", "avx512f", "avx512dq"])
        #expect(CPUFeatures.cpuFlags(fromCPUInfo: "") == [])
        #expect(CPUFeatures.cpuFlags(fromCPUInfo: "flags without a colon") == [])
    }
}
