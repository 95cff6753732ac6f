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
                // B is stored n×k: the panel is the transpose of 8 rows of B, done 8×8 at a time.
                let src = b + (column + j) * ldb + row
                var p = 0
                while p + 8 <= k {
                    transpose8x8(src + p, ld: ldb, into: panel + p * nr)
                    p += 8
                }
                while p < k {
                    for c in 0..<nr { panel[p * nr + c] = src[c * ldb + p] }
                    p += 1
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

    /// Writes the transpose of the 8×8 block at `src` (row stride `ld`) as 64 contiguous floats.
    /// Three perfect unshuffles (even/odd lane splits) of the 64 values rotate the index bits
    /// (i, j) → (j, i); LLVM lowers each split to two AVX2 shuffles.
    @inline(__always)
    static func transpose8x8(_ src: UnsafePointer<Float>, ld: Int, into dst: UnsafeMutablePointer<Float>) {
        typealias V = SIMD8<Float>
        @inline(__always) func even(_ a: V, _ b: V) -> V { SIMD16(lowHalf: a, highHalf: b).evenHalf }
        @inline(__always) func odd(_ a: V, _ b: V) -> V { SIMD16(lowHalf: a, highHalf: b).oddHalf }
        let s = UnsafeRawPointer(src), rowBytes = ld * 4
        var v0 = s.loadUnaligned(as: V.self)
        var v1 = s.loadUnaligned(fromByteOffset: rowBytes, as: V.self)
        var v2 = s.loadUnaligned(fromByteOffset: 2 * rowBytes, as: V.self)
        var v3 = s.loadUnaligned(fromByteOffset: 3 * rowBytes, as: V.self)
        var v4 = s.loadUnaligned(fromByteOffset: 4 * rowBytes, as: V.self)
        var v5 = s.loadUnaligned(fromByteOffset: 5 * rowBytes, as: V.self)
        var v6 = s.loadUnaligned(fromByteOffset: 6 * rowBytes, as: V.self)
        var v7 = s.loadUnaligned(fromByteOffset: 7 * rowBytes, as: V.self)
        for _ in 0..<3 {
            (v0, v1, v2, v3, v4, v5, v6, v7) = (even(v0, v1), even(v2, v3), even(v4, v5), even(v6, v7),
                                                odd(v0, v1), odd(v2, v3), odd(v4, v5), odd(v6, v7))
        }
        let d = UnsafeMutableRawPointer(dst)
        d.storeBytes(of: v0, as: V.self)
        d.storeBytes(of: v1, toByteOffset: 32, as: V.self)
        d.storeBytes(of: v2, toByteOffset: 64, as: V.self)
        d.storeBytes(of: v3, toByteOffset: 96, as: V.self)
        d.storeBytes(of: v4, toByteOffset: 128, as: V.self)
        d.storeBytes(of: v5, toByteOffset: 160, as: V.self)
        d.storeBytes(of: v6, toByteOffset: 192, as: V.self)
        d.storeBytes(of: v7, toByteOffset: 224, as: V.self)
    }
}
