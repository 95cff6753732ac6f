/// `C[1×n] = alpha · a[1×k] · op(B) + beta · C`: one row, as in generating text one character at a
/// time (batch 1). Packing B for the blocked kernel would move all of B twice per call and the
/// register tile would compute 3 of every 4 rows on zero padding, so a single row reads B once, in
/// place: dot products over B's rows when `transB` (B stored n×k, e.g. W_hh), otherwise a sum of
/// B's rows scaled by a's entries (B stored k×n).
extension GEMM {
    typealias Lane = SIMD8<Float>

    static func rowVector(transB: Bool, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>,
                          b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>) {
        if transB {
            rowDotRows(n: n, k: k, alpha: alpha, a: a, b: b, ldb: ldb, beta: beta, c: c)
        } else {
            rowSumOfRows(n: n, k: k, alpha: alpha, a: a, b: b, ldb: ldb, beta: beta, c: c)
        }
    }

    /// c_j = alpha · Σ_p a_p · B[j, p] + beta · c_j, four rows of B per pass so each load of `a`
    /// serves four products.
    private static func rowDotRows(n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                   ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>) {
        let rawA = UnsafeRawPointer(a)
        let w = Lane.scalarCount
        var j = 0
        while j + 4 <= n {
            let r0 = UnsafeRawPointer(b + j * ldb), r1 = r0 + ldb * 4, r2 = r1 + ldb * 4, r3 = r2 + ldb * 4
            var s0 = Lane(), s1 = Lane(), s2 = Lane(), s3 = Lane()
            var p = 0
            while p + w <= k {
                let x = rawA.loadUnaligned(fromByteOffset: p * 4, as: Lane.self)
                s0.addProduct(x, r0.loadUnaligned(fromByteOffset: p * 4, as: Lane.self))
                s1.addProduct(x, r1.loadUnaligned(fromByteOffset: p * 4, as: Lane.self))
                s2.addProduct(x, r2.loadUnaligned(fromByteOffset: p * 4, as: Lane.self))
                s3.addProduct(x, r3.loadUnaligned(fromByteOffset: p * 4, as: Lane.self))
                p += w
            }
            var t0 = s0.sum(), t1 = s1.sum(), t2 = s2.sum(), t3 = s3.sum()
            let rows = b + j * ldb
            while p < k {
                let x = a[p]
                t0 += x * rows[p]
                t1 += x * rows[ldb + p]
                t2 += x * rows[2 * ldb + p]
                t3 += x * rows[3 * ldb + p]
                p += 1
            }
            store(t0, at: c + j, alpha: alpha, beta: beta)
            store(t1, at: c + j + 1, alpha: alpha, beta: beta)
            store(t2, at: c + j + 2, alpha: alpha, beta: beta)
            store(t3, at: c + j + 3, alpha: alpha, beta: beta)
            j += 4
        }
        while j < n {
            let row = b + j * ldb
            var s = Lane()
            var p = 0
            while p + w <= k {
                s.addProduct(rawA.loadUnaligned(fromByteOffset: p * 4, as: Lane.self),
                             UnsafeRawPointer(row).loadUnaligned(fromByteOffset: p * 4, as: Lane.self))
                p += w
            }
            var t = s.sum()
            while p < k { t += a[p] * row[p]; p += 1 }
            store(t, at: c + j, alpha: alpha, beta: beta)
            j += 1
        }
    }

    /// c = alpha · Σ_p a_p · B[p, :] + beta · c, accumulated in c itself (beta applied first,
    /// with beta 0 writing zeros so NaN in C is ignored).
    private static func rowSumOfRows(n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                     ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>) {
        scale(c, rows: 1, columns: n, ldc: n, by: beta)
        let rawC = UnsafeMutableRawPointer(c)
        let w = Lane.scalarCount
        for p in 0..<k {
            let x = alpha * a[p]
            let row = b + p * ldb, rawRow = UnsafeRawPointer(row)
            let xv = Lane(repeating: x)
            var j = 0
            while j + w <= n {
                var out = rawC.loadUnaligned(fromByteOffset: j * 4, as: Lane.self)
                out.addProduct(xv, rawRow.loadUnaligned(fromByteOffset: j * 4, as: Lane.self))
                rawC.storeBytes(of: out, toByteOffset: j * 4, as: Lane.self)
                j += w
            }
            while j < n { c[j] += x * row[j]; j += 1 }
        }
    }

    @inline(__always)
    private static func store(_ sum: Float, at c: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
        c.pointee = alpha * sum + (beta == 0 ? 0 : beta * c.pointee)
    }
}
