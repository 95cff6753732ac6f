/// A B operand packed once and multiplied many times: the recurrent weights W_hh take part in one
/// product per time step (forward `h·W_hhᵀ`, backward `dG·W_hh`), so packing them once per sequence
/// instead of once per step saves ~1/batch of the product's work in memory traffic.
extension GEMM {
    /// Floats needed to hold op(B) (k×n) packed by `packB`.
    public static func packedBCount(k: Int, n: Int) -> Int {
        precondition(k >= 0 && n >= 0, "GEMM.packedBCount: negative size k=\(k) n=\(n)")
        return k * ((n + nr - 1) / nr * nr)
    }

    /// Packs op(B) (k×n; B is stored n×k when `transB`) into `packed`, which must hold
    /// `packedBCount(k:n:)` floats. Repack whenever B changes (e.g. after an optimizer step).
    /// Panels of `nr` columns are split over the calling thread's pool (a copy: any split gives the
    /// same bytes).
    public static func packB(transB: Bool, k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int,
                             into packed: UnsafeMutablePointer<Float>) {
        precondition(k >= 0 && n >= 0, "GEMM.packB: negative size k=\(k) n=\(n)")
        precondition(ldb >= max(1, transB ? k : n), "GEMM.packB: ldb=\(ldb) too small (transB=\(transB), n=\(n), k=\(k))")
        ThreadPool.forEachElementBlock(of: (n + nr - 1) / nr, width: k * nr) { panels in
            // Panels never straddle an NC block: nc is a multiple of nr.
            for panel in panels {
                let j = panel * nr
                var pc = 0
                while pc < k {
                    let kcBlock = min(kc, k - pc)
                    packB(transB: transB, b: b, ldb: ldb, row: pc, column: j, k: kcBlock, n: min(nr, n - j),
                          into: packed + prepackedPanelOffset(column: j, row: pc, kBlock: kcBlock, k: k, n: n))
                    pc += kcBlock
                }
            }
        }
    }

    /// C[m×n] = alpha · op(A) · op(B) + beta · C with op(B) from `packB(transB:k:n:b:ldb:into:)`
    /// called with the same k and n. Same semantics as `run` otherwise (beta == 0 ignores C).
    public static func run(
        transA: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        packedB: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        checkShape(transA: transA, transB: false, m: m, n: n, k: k, lda: lda, ldb: max(1, n), ldc: ldc)
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(c, rows: m, columns: n, ldc: ldc, by: beta)
            return
        }
        parallelBlocked(transA: transA, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: .prepacked(packedB),
                        beta: beta, c: c, ldc: ldc)
    }

    /// C[m, columns] += A·op(B) for the same `units` of each of `gates` column blocks of `width`
    /// (columns g·width + units, n = gates·width) of a B packed by `packB`: a thread's share of a
    /// recurrent product split by hidden units. Each block of A is packed once for every gate, not
    /// once per gate; every element is summed in `blocked`'s order (K blocks in turn), so the bits
    /// are the same. `units` must start on a multiple of NR and `width` be one.
    static func runGateColumns(m: Int, k: Int, a: UnsafePointer<Float>, lda: Int, packedB: UnsafePointer<Float>,
                               c: UnsafeMutablePointer<Float>, ldc: Int, units: Range<Int>, width: Int, gates: Int) {
        precondition(units.lowerBound % nr == 0 && width % nr == 0 && units.upperBound <= width,
                     "GEMM.runGateColumns: units \(units) of width \(width) off the \(nr)-column panels")
        let n = gates * width
        checkShape(transA: false, transB: false, m: m, n: n, k: k, lda: lda, ldb: max(1, n), ldc: ldc)
        guard m > 0, k > 0, !units.isEmpty else { return }
        let packedA = GEMMScratch.forCurrentThread().a
        var pc = 0
        while pc < k {
            let kcBlock = min(kc, k - pc)
            var ic = 0
            while ic < m {
                let mcBlock = min(mc, m - ic)
                packA(transA: false, a: a, lda: lda, row: ic, column: pc, m: mcBlock, k: kcBlock, into: packedA)
                for gate in 0..<gates {
                    let end = gate * width + units.upperBound
                    var jc = gate * width + units.lowerBound
                    while jc < end {
                        let blockStart = jc / nc * nc
                        let ncBlock = min(blockStart + nc, end) - jc
                        let b = prepackedPanels(packedB, column: jc, row: pc, kBlock: kcBlock, k: k, n: n)
                        macroKernel(m: mcBlock, n: ncBlock, k: kcBlock, alpha: 1, packedA: packedA, packedB: b,
                                    beta: 1, c: c + ic * ldc + jc, ldc: ldc)
                        jc += ncBlock
                    }
                }
                ic += mcBlock
            }
            pc += kcBlock
        }
    }
}
