// Small element-wise helpers shared by the layers, and the one place that adapts to the kernels'
// VectorMath API. Loops over unsafe pointers so the optimiser vectorises them.

/// y = sigmoid(x), in place allowed.
@inline(__always) func applySigmoid(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
    VectorMath.sigmoid(UnsafePointer(x), x, count: n)
}

@inline(__always) func applyTanh(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
    VectorMath.tanh(UnsafePointer(x), x, count: n)
}

@inline(__always) func applyTanh(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int) {
    VectorMath.tanh(x, y, count: n)
}

@inline(__always) func applyExp(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
    VectorMath.exp(UnsafePointer(x), x, count: n)
}

/// Copies `bias` into each of `rows` rows of `out` (row stride `width`).
@inline(__always) func broadcastRows(_ bias: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    for r in 0..<rows { (out + r * width).update(from: bias, count: width) }
}

/// out[j] += sum over rows of m[r, j] (bias gradients). Large sums are split by columns over the
/// trainer's threads; each column still adds its rows in order.
@inline(__always) func accumulateColumnSums(_ m: UnsafePointer<Float>, rows: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
    func sums(_ columns: Range<Int>) {
        for r in 0..<rows {
            let row = m + r * width
            for j in columns { out[j] += row[j] }
        }
    }
    ThreadPool.forEachColumnBlock(of: width, rows: rows, sums)
}

/// y[i] += x[i]
@inline(__always) func addInPlace(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] += x[i] }
}

/// y[i] = a[i] + b[i]
@inline(__always) func sum(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] = a[i] + b[i] }
}

/// C[m,n] (+)= A[m,k] * B[n,k]^T  — the usual "x W^T" of a Linear or gate projection.
@inline(__always) func matmulTransB(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                    m: Int, n: Int, k: Int, accumulate: Bool) {
    GEMM.run(transA: false, transB: true, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: k,
             beta: accumulate ? 1 : 0, c: c, ldc: n)
}

/// C[m,n] (+)= A[m,k] * B[k,n]  — input gradients, dX = dY W.
@inline(__always) func matmul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                              m: Int, n: Int, k: Int, accumulate: Bool) {
    GEMM.run(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
             beta: accumulate ? 1 : 0, c: c, ldc: n)
}

/// C[m,n] += A[k,m]^T * B[k,n]  — weight gradients, dW += dY^T X.
@inline(__always) func matmulTransAAccumulate(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                              m: Int, n: Int, k: Int) {
    GEMM.run(transA: true, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: m, b: b, ldb: n,
             beta: 1, c: c, ldc: n)
}
