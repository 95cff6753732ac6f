/// Packing copies a block of op(A) or op(B) into the order the micro-kernel reads it, so the inner
/// loop streams contiguous memory whatever the transpose flags and leading dimensions are.
extension GEMM {
    /// Packs op(A)[row..<row+m, column..<column+k] into MR-row panels: panel-major, then k, then the
    /// MR rows of that k. Rows past m are zero.
    @inline(__always)
    static func packA(
        transA: Bool, a: UnsafePointer<Float>, lda: Int, row: Int, column: Int, m: Int, k: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        var i = 0
        while i < m {
            let rows = min(mr, m - i)
            let panel = out + i * k
            if transA {
                // A is stored k×m: the MR values of one k are contiguous.
                for p in 0..<k {
                    let src = a + (column + p) * lda + row + i
                    let dst = panel + p * mr
                    if rows == mr {
                        for r in 0..<mr { dst[r] = src[r] }
                    } else {
                        for r in 0..<rows { dst[r] = src[r] }
                        for r in rows..<mr { dst[r] = 0 }
                    }
                }
            } else {
                for r in 0..<mr {
                    if r < rows {
                        let src = a + (row + i + r) * lda + column
                        for p in 0..<k { panel[p * mr + r] = src[p] }
                    } else {
                        for p in 0..<k { panel[p * mr + r] = 0 }
                    }
                }
            }
            i += mr
        }
    }

    /// Packs op(B)[row..<row+k, column..<column+n] into NR-column panels: panel-major, then k, then
    /// the NR columns of that k. Columns past n are zero.
    @inline(__always)
    static func packB(
        transB: Bool, b: UnsafePointer<Float>, ldb: Int, row: Int, column: Int, k: Int, n: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        var j = 0
        while j < n {
            let cols = min(nr, n - j)
            let panel = out + j * k
            if transB && cols == nr {
                // B is stored n×k: column j of op(B) is row j of B. Read the NR rows as parallel
                // streams and write the panel sequentially.
                let src = b + (column + j) * ldb + row
                for p in 0..<k {
                    let dst = panel + p * nr
                    for c in 0..<nr { dst[c] = src[c * ldb + p] }
                }
            } else if transB {
                for c in 0..<nr {
                    if c < cols {
                        let src = b + (column + j + c) * ldb + row
                        for p in 0..<k { panel[p * nr + c] = src[p] }
                    } else {
                        for p in 0..<k { panel[p * nr + c] = 0 }
                    }
                }
            } else if cols == nr {
                for p in 0..<k {
                    let src = UnsafeRawPointer(b + (row + p) * ldb + column + j)
                    let dst = UnsafeMutableRawPointer(panel + p * nr)
                    dst.storeBytes(of: src.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                }
            } else {
                for p in 0..<k {
                    let src = b + (row + p) * ldb + column + j
                    let dst = panel + p * nr
                    for c in 0..<cols { dst[c] = src[c] }
                    for c in cols..<nr { dst[c] = 0 }
                }
            }
            j += nr
        }
    }
}
