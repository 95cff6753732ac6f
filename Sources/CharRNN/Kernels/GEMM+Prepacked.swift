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
    public static func packB(transB: Bool, k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int,
                             into packed: UnsafeMutablePointer<Float>) {
        precondition(k >= 0 && n >= 0, "GEMM.packB: negative size k=\(k) n=\(n)")
        precondition(ldb >= max(1, transB ? k : n), "GEMM.packB: ldb=\(ldb) too small (transB=\(transB), n=\(n), k=\(k))")
        var jc = 0
        while jc < n {
            let ncBlock = min(nc, n - jc)
            var pc = 0
            while pc < k {
                let kcBlock = min(kc, k - pc)
                packB(transB: transB, b: b, ldb: ldb, row: pc, column: jc, k: kcBlock, n: ncBlock,
                      into: packed + prepackedOffset(column: jc, row: pc, k: k, n: n))
                pc += kcBlock
            }
            jc += ncBlock
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
}
