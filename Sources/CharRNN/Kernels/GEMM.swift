/// Single-precision matrix multiply on row-major storage:
/// `C[m×n] = alpha · op(A) · op(B) + beta · C`, where op(A) is m×k (A is stored k×m when `transA`)
/// and op(B) is k×n (B is stored n×k when `transB`). Leading dimensions are row strides in elements.
/// `beta == 0` overwrites C without reading it, so uninitialised or NaN contents are ignored.
public enum GEMM {
    /// The fast path used by every layer: packed, register-blocked SIMD (see `GEMM+Blocked.swift`),
    /// split over the calling thread's `ThreadPool.current` when it has one (`ParallelGEMM.swift`).
    /// Allocation-free after a thread's first call; safe to call from many threads at once.
    public static func run(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        checkShape(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(c, rows: m, columns: n, ldc: ldc, by: beta)
            return
        }
        if m == 1 && (!transA || lda == 1) {
            rowVector(transB: transB, n: n, k: k, alpha: alpha, a: a, b: b, ldb: ldb, beta: beta, c: c)
            return
        }
        parallelBlocked(transA: transA, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                        b: .raw(transB: transB, b: b, ldb: ldb), beta: beta, c: c, ldc: ldc)
    }

    /// Naive triple loop kept forever as the oracle for tests.
    public static func reference(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        checkShape(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
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

    /// Leading dimensions shorter than a stored row are programming errors, caught in every build.
    @inline(__always)
    static func checkShape(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative size m=\(m) n=\(n) k=\(k)")
        precondition(lda >= max(1, transA ? m : k), "GEMM: lda=\(lda) too small (transA=\(transA), m=\(m), k=\(k))")
        precondition(ldb >= max(1, transB ? k : n), "GEMM: ldb=\(ldb) too small (transB=\(transB), n=\(n), k=\(k))")
        precondition(ldc >= max(1, n), "GEMM: ldc=\(ldc) too small (n=\(n))")
    }

    /// C = beta · C, with beta == 0 writing zeros (NaN-safe).
    static func scale(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ldc: Int, by beta: Float) {
        for i in 0..<rows {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: columns)
            } else if beta != 1 {
                for j in 0..<columns { row[j] *= beta }
            }
        }
    }
}
