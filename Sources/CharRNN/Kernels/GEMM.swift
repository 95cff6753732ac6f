/// Single-precision matrix multiply on row-major storage:
/// `C[m×n] = alpha · op(A) · op(B) + beta · C`, where op(A) is m×k (A is stored k×m when `transA`)
/// and op(B) is k×n (B is stored n×k when `transB`). Leading dimensions are row strides in elements.
/// `beta == 0` overwrites C without reading it, so uninitialised or NaN contents are ignored.
public enum GEMM {
    /// The fast path used by every layer.
    public static func run(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        reference(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                  a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Naive triple loop kept forever as the oracle for tests.
    public static func reference(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let aip = transA ? a[p * lda + i] : a[i * lda + p]
                    let bpj = transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += aip * bpj
                }
                let old = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * sum + old
            }
        }
    }
}
