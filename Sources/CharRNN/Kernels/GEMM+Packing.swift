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
        if transA {
            // A is stored k×m: row p of the block holds the MR values of p for every panel. Walk the
            // source rows in order (one sequential stream the prefetcher follows) and scatter each
            // row's MR-wide pieces to the panels.
            let fullPanels = m / mr
            for p in 0..<k {
                let src = a + (column + p) * lda + row
                for q in 0..<fullPanels {
                    let s = UnsafeRawPointer(src + q * mr), d = UnsafeMutableRawPointer(out + q * mr * k + p * mr)
                    d.storeBytes(of: s.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                    d.storeBytes(of: s.loadUnaligned(fromByteOffset: 32, as: SIMD4<Float>.self),
                                 toByteOffset: 32, as: SIMD4<Float>.self)
                }
                let rows = m - fullPanels * mr
                if rows > 0 {
                    let dst = out + fullPanels * mr * k + p * mr
                    for r in 0..<rows { dst[r] = src[fullPanels * mr + r] }
                    for r in rows..<mr { dst[r] = 0 }
                }
            }
            return
        }
        var i = 0
        while i < m {
            let rows = min(mr, m - i)
            let panel = out + i * k
            if rows == mr {
                // A is stored m×k: transpose 8 k-values of rows 0–7, then of rows 8–11, at a time.
                let src = a + (row + i) * lda + column
                var p = 0
                while p + 8 <= k {
                    let top = transposed8x8(src + p, ld: lda, rows: 8)
                    let bottom = transposed8x8(src + 8 * lda + p, ld: lda, rows: 4)
                    let d = UnsafeMutableRawPointer(panel + p * mr)
                    withUnsafeBytes(of: top) { t in
                        withUnsafeBytes(of: bottom) { b in
                            for q in 0..<8 {
                                d.storeBytes(of: t.loadUnaligned(fromByteOffset: q * 32, as: SIMD8<Float>.self),
                                             toByteOffset: q * 48, as: SIMD8<Float>.self)
                                d.storeBytes(of: b.loadUnaligned(fromByteOffset: q * 32, as: SIMD4<Float>.self),
                                             toByteOffset: q * 48 + 32, as: SIMD4<Float>.self)
                            }
                        }
                    }
                    p += 8
                }
                while p < k {
                    for r in 0..<mr { panel[p * mr + r] = src[r * lda + p] }
                    p += 1
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
                // B is stored n×k: the panel is the transpose of 16 rows of B, done 8×8 at a time.
                let src = b + (column + j) * ldb + row
                var p = 0
                while p + 8 <= k {
                    transpose8x8(src + p, ld: ldb, into: panel + p * nr, stride: nr)
                    transpose8x8(src + 8 * ldb + p, ld: ldb, into: panel + p * nr + 8, stride: nr)
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
                    dst.storeBytes(of: src.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self), toByteOffset: 32, as: SIMD8<Float>.self)
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

    typealias Block8 = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
                        SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)

    /// The transpose of the 8×8 block at `src` (row stride `ld`): element q of the result holds
    /// column q. With `rows == 4` only rows 0–3 are read (repeated as rows 4–7), so lanes 0–3 of each
    /// result are the transpose of a 4×8 block. Three perfect unshuffles (even/odd lane splits) of
    /// the 64 values rotate the index bits (i, j) → (j, i); LLVM lowers each split to two shuffles.
    @inline(__always)
    static func transposed8x8(_ src: UnsafePointer<Float>, ld: Int, rows: Int) -> Block8 {
        typealias V = SIMD8<Float>
        @inline(__always) func even(_ a: V, _ b: V) -> V { SIMD16(lowHalf: a, highHalf: b).evenHalf }
        @inline(__always) func odd(_ a: V, _ b: V) -> V { SIMD16(lowHalf: a, highHalf: b).oddHalf }
        let s = UnsafeRawPointer(src), rowBytes = ld * 4, upper = rows == 8 ? 4 * rowBytes : 0
        var v0 = s.loadUnaligned(as: V.self)
        var v1 = s.loadUnaligned(fromByteOffset: rowBytes, as: V.self)
        var v2 = s.loadUnaligned(fromByteOffset: 2 * rowBytes, as: V.self)
        var v3 = s.loadUnaligned(fromByteOffset: 3 * rowBytes, as: V.self)
        var v4 = s.loadUnaligned(fromByteOffset: upper, as: V.self)
        var v5 = s.loadUnaligned(fromByteOffset: upper + rowBytes, as: V.self)
        var v6 = s.loadUnaligned(fromByteOffset: upper + 2 * rowBytes, as: V.self)
        var v7 = s.loadUnaligned(fromByteOffset: upper + 3 * rowBytes, as: V.self)
        for _ in 0..<3 {
            (v0, v1, v2, v3, v4, v5, v6, v7) = (even(v0, v1), even(v2, v3), even(v4, v5), even(v6, v7),
                                                odd(v0, v1), odd(v2, v3), odd(v4, v5), odd(v6, v7))
        }
        return (v0, v1, v2, v3, v4, v5, v6, v7)
    }

    /// Writes the transpose of the 8×8 block at `src` as 8 rows of 8 floats, `stride` floats apart.
    @inline(__always)
    static func transpose8x8(_ src: UnsafePointer<Float>, ld: Int, into dst: UnsafeMutablePointer<Float>, stride: Int) {
        let t = transposed8x8(src, ld: ld, rows: 8)
        let d = UnsafeMutableRawPointer(dst), row = stride * 4
        d.storeBytes(of: t.0, as: SIMD8<Float>.self)
        d.storeBytes(of: t.1, toByteOffset: row, as: SIMD8<Float>.self)
        d.storeBytes(of: t.2, toByteOffset: 2 * row, as: SIMD8<Float>.self)
        d.storeBytes(of: t.3, toByteOffset: 3 * row, as: SIMD8<Float>.self)
        d.storeBytes(of: t.4, toByteOffset: 4 * row, as: SIMD8<Float>.self)
        d.storeBytes(of: t.5, toByteOffset: 5 * row, as: SIMD8<Float>.self)
        d.storeBytes(of: t.6, toByteOffset: 6 * row, as: SIMD8<Float>.self)
        d.storeBytes(of: t.7, toByteOffset: 7 * row, as: SIMD8<Float>.self)
    }
}
