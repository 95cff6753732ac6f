@testable import CharRNN
import Testing

/// The SIMD GEMM must agree with the naive reference for every transpose variant, odd sizes that
/// exercise partial register tiles and K/M/N blocks, padded leading dimensions, and alpha/beta.
@Suite struct KernelGEMMTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let m: Int, n: Int, k: Int
        var testDescription: String { "\(m)x\(n)x\(k)" }
    }

    static let sizes: [Case] = [
        Case(m: 1, n: 1, k: 1), Case(m: 1, n: 17, k: 7), Case(m: 7, n: 1, k: 17), Case(m: 7, n: 17, k: 1),
        Case(m: 6, n: 16, k: 5), Case(m: 17, n: 33, k: 129), Case(m: 129, n: 131, k: 17),
        Case(m: 131, n: 129, k: 131), Case(m: 121, n: 2049, k: 3), Case(m: 13, n: 40, k: 513),
        // Last row panels that exactly fill the 4- and 8-row tile variants (batch 64 = 5 × 12 + 4).
        Case(m: 64, n: 24, k: 9), Case(m: 20, n: 16, k: 33), Case(m: 8, n: 8, k: 2),
        // One row (batch-1 generation) takes the row-vector path: W_hh of LSTM-512, and odd sizes
        // that leave rows after the 4-row loop and lanes after the 8-lane loop.
        Case(m: 1, n: 2048, k: 512), Case(m: 1, n: 771, k: 259), Case(m: 1, n: 3, k: 9),
    ]

    static let flags: [(Bool, Bool)] = [(false, false), (true, false), (false, true), (true, true)]

    @Test(arguments: sizes)
    func matchesReferenceForAllTransposes(_ size: Case) {
        for (transA, transB) in Self.flags {
            for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-1.25, 0.75)] {
                check(size, transA: transA, transB: transB, alpha: alpha, beta: beta, pad: 3)
            }
        }
    }

    @Test func tightLeadingDimensions() {
        for (transA, transB) in Self.flags {
            check(Case(m: 19, n: 23, k: 29), transA: transA, transB: transB, alpha: 1, beta: 1, pad: 0)
        }
    }

    /// A one-row A stored transposed with lda 1 is contiguous, so it takes the row-vector path too.
    @Test func oneRowWithTightTransposedA() {
        for transB in [false, true] {
            check(Case(m: 1, n: 37, k: 45), transA: true, transB: transB, alpha: 1, beta: 1, pad: 0)
            check(Case(m: 1, n: 37, k: 45), transA: false, transB: transB, alpha: 0.5, beta: 0, pad: 0)
        }
    }

    @Test func betaZeroIgnoresNaNInC() {
        let m = 9, n = 18, k = 4
        let a = randomMatrix(count: m * k, seed: 1), b = randomMatrix(count: k * n, seed: 2)
        var c = [Float](repeating: .nan, count: m * n)
        var expected = [Float](repeating: 0, count: m * n)
        gemm(GEMM.run, false, false, m, n, k, 1, a, k, b, n, 0, &c, n)
        gemm(GEMM.reference, false, false, m, n, k, 1, a, k, b, n, 0, &expected, n)
        #expect(c.allSatisfy { !$0.isNaN })
        expectClose(c, expected, scale: Float(k))
    }

    @Test func zeroKScalesC() {
        var c: [Float] = [1, 2, 3, .nan]
        let a: [Float] = [0], b: [Float] = [0]
        gemm(GEMM.run, false, false, 2, 2, 0, 1, a, 1, b, 2, 2, &c, 2)
        #expect(c[0] == 2 && c[1] == 4 && c[2] == 6 && c[3].isNaN)
        gemm(GEMM.run, false, false, 2, 2, 0, 1, a, 1, b, 2, 0, &c, 2)
        #expect(c == [0, 0, 0, 0])
    }

    @Test func concurrentCallersGetTheirOwnScratch() async {
        let size = Case(m: 70, n: 90, k: 300)
        await withTaskGroup(of: Void.self) { group in
            for seed in 0..<8 {
                group.addTask {
                    self.check(size, transA: seed % 2 == 0, transB: seed % 3 == 0, alpha: 1, beta: 0, pad: 1,
                               seed: UInt64(seed * 10))
                }
            }
        }
    }

    // MARK: helpers

    func gemm(_ kernel: (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                         Float, UnsafeMutablePointer<Float>, Int) -> Void,
              _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
              _ a: [Float], _ lda: Int, _ b: [Float], _ ldb: Int, _ beta: Float, _ c: inout [Float], _ ldc: Int) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    kernel(transA, transB, m, n, k, alpha, ap.baseAddress!, lda, bp.baseAddress!, ldb, beta,
                           cp.baseAddress!, ldc)
                }
            }
        }
    }

    func check(_ s: Case, transA: Bool, transB: Bool, alpha: Float, beta: Float, pad: Int, seed: UInt64 = 7) {
        let (aRows, aCols) = transA ? (s.k, s.m) : (s.m, s.k)
        let (bRows, bCols) = transB ? (s.n, s.k) : (s.k, s.n)
        let lda = aCols + pad, ldb = bCols + pad, ldc = s.n + pad
        let a = randomMatrix(count: aRows * lda, seed: seed &+ 1)
        let b = randomMatrix(count: bRows * ldb, seed: seed &+ 2)
        let c0 = randomMatrix(count: s.m * ldc, seed: seed &+ 3)
        var fast = c0, slow = c0
        gemm(GEMM.run, transA, transB, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, &fast, ldc)
        gemm(GEMM.reference, transA, transB, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, &slow, ldc)
        // Padding columns of C must be left untouched.
        for i in 0..<s.m {
            for j in s.n..<ldc where fast[i * ldc + j] != c0[i * ldc + j] {
                Issue.record("\(s.testDescription) wrote padding C[\(i),\(j)]")
                return
            }
        }
        expectClose(fast, slow, scale: Float(s.k).squareRoot() + 1,
                    context: "\(s.testDescription) transA=\(transA) transB=\(transB) alpha=\(alpha) beta=\(beta)")
    }

    func expectClose(_ x: [Float], _ y: [Float], scale: Float, context: String = "") {
        var worst: Float = 0, at = 0
        for i in x.indices {
            let d = abs(x[i] - y[i]) / (1 + abs(y[i]))
            if !(d <= worst) { worst = d; at = i }
        }
        #expect(worst <= 2e-6 * scale, "\(context): largest difference \(worst) at \(at): \(x[at]) vs \(y[at])")
    }
}

/// Deterministic values in [-1, 1) from a 64-bit LCG, so tests need no shared generator.
func randomMatrix(count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}

/// `packB` once + `run(packedB:)` many times must equal the reference, across K and N blocks.
@Suite struct KernelPrepackedGEMMTests {
    @Test(arguments: [(7, 17, 3), (128, 512, 128), (13, 2049, 300), (129, 40, 513)])
    func prepackedMatchesReference(_ size: (Int, Int, Int)) {
        let (m, n, k) = size
        for transB in [false, true] {
            for transA in [false, true] {
                let lda = (transA ? m : k) + 2, ldb = (transB ? k : n) + 1, ldc = n + 3
                let a = randomMatrix(count: (transA ? k : m) * lda, seed: 11)
                let b = randomMatrix(count: (transB ? n : k) * ldb, seed: 12)
                let c0 = randomMatrix(count: m * ldc, seed: 13)
                var packed = [Float](repeating: .nan, count: GEMM.packedBCount(k: k, n: n))
                b.withUnsafeBufferPointer { bp in
                    packed.withUnsafeMutableBufferPointer {
                        GEMM.packB(transB: transB, k: k, n: n, b: bp.baseAddress!, ldb: ldb, into: $0.baseAddress!)
                    }
                }
                var fast = c0, slow = c0
                for _ in 0..<2 {  // reuse of the same packed operand
                    fast = c0
                    a.withUnsafeBufferPointer { ap in
                        packed.withUnsafeBufferPointer { pp in
                            fast.withUnsafeMutableBufferPointer {
                                GEMM.run(transA: transA, m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: lda,
                                         packedB: pp.baseAddress!, beta: 1, c: $0.baseAddress!, ldc: ldc)
                            }
                        }
                    }
                }
                GEMM.reference(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda,
                               b: b, ldb: ldb, beta: 1, c: &slow, ldc: ldc)
                var worst: Float = 0
                for i in fast.indices { worst = max(worst, abs(fast[i] - slow[i]) / (1 + abs(slow[i]))) }
                #expect(worst <= 2e-6 * Float(k).squareRoot(), "\(m)x\(n)x\(k) transA=\(transA) transB=\(transB): \(worst)")
            }
        }
    }

    /// A pool packs the panels in parts; the packed bytes must be those of one thread.
    @Test(arguments: [(17, 3), (512, 128), (2049, 300), (40, 513)])
    func packingOnAPoolGivesTheSameBytes(_ size: (Int, Int)) {
        let (n, k) = size
        let pool = ThreadPool(size: 3, policy: SplitPolicy.finest)
        for transB in [false, true] {
            let ldb = (transB ? k : n) + 1
            let b = randomMatrix(count: (transB ? n : k) * ldb, seed: 21)
            func pack(on pool: ThreadPool?) -> [UInt32] {
                var packed = [Float](repeating: .nan, count: GEMM.packedBCount(k: k, n: n))
                ThreadPool.withCurrent(pool) {
                    b.withUnsafeBufferPointer { bp in
                        packed.withUnsafeMutableBufferPointer {
                            GEMM.packB(transB: transB, k: k, n: n, b: bp.baseAddress!, ldb: ldb, into: $0.baseAddress!)
                        }
                    }
                }
                return packed.map(\.bitPattern)
            }
            let one: [UInt32] = pack(on: nil), many: [UInt32] = pack(on: pool)
            let unwritten: UInt32 = Float.nan.bitPattern
            let differing: Int = zip(many, one).filter { $0.0 != $0.1 }.count
            #expect(!one.contains(unwritten), "n=\(n) k=\(k): a packed float was never written")
            #expect(differing == 0, "n=\(n) k=\(k) transB=\(transB): \(differing) floats differ")
        }
    }
}
