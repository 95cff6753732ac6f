/// GEMM's register tile: C[rows×columns] = alpha · (A panel · B panel) + beta · C, with up to 12
/// accumulators of `V`, one B vector and one broadcast A value. Each broadcast feeds exactly one
/// FMA, so LLVM cannot hoist broadcasts and spill accumulators — which it does for the textbook
/// 6×16 tile (measured: half the speed).
///
/// This module is the one compiled for `skylake-avx512`: `wideTile` (SIMD16) runs only where the
/// caller has checked the CPU (`CPUFeatures.hasAVX512`). `run` is inlined into CharRNN, which is
/// compiled for `haswell`, as the SIMD8 tile every x86-64 CPU with AVX2 runs. Each output element
/// is the same chain of FMAs over k in both, so a machine's choice never shows in a result.
///
/// The tile is 12 rows tall; the last panel of an m that is not a multiple of 12 uses a 4- or 8-row
/// variant, so e.g. a batch of 64 costs 64 rows of FMAs, not 72 (measured: +11 % on 64×768·768×256).
/// The variants are one generic kernel; specialization removes the unused rows' code.
///
/// A panels are packed 12 floats per k (zero-padded, GEMM's MR); B panels `bStride` floats per k.
public enum RegisterTile {
    /// The 12×16 tile on SIMD16 (AVX-512). `b`: a panel of 16 floats per k.
    public static func wideTile(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, alpha: Float, beta: Float,
                                c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int) {
        run(SIMD16<Float>.self, k: k, a: a, b: b, bStride: 16, alpha: alpha, beta: beta, c: c, ldc: ldc, rows: rows, columns: columns)
    }

    /// One tile of `V.scalarCount` columns (`columns ≤` that, `rows ≤ 12`) from a B panel of
    /// `bStride` floats per k, never reading C when beta == 0.
    @inlinable @inline(__always)
    public static func run<V: SIMD>(_ vector: V.Type, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, bStride: Int,
                                    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                                    rows: Int, columns: Int) where V.Scalar == Float {
        switch rows {
        case ...4: tile(V.self, FourRows.self, k: k, a: a, b: b, bStride: bStride, alpha: alpha, beta: beta, c: c, ldc: ldc, rows: rows, columns: columns)
        case ...8: tile(V.self, EightRows.self, k: k, a: a, b: b, bStride: bStride, alpha: alpha, beta: beta, c: c, ldc: ldc, rows: rows, columns: columns)
        default: tile(V.self, TwelveRows.self, k: k, a: a, b: b, bStride: bStride, alpha: alpha, beta: beta, c: c, ldc: ldc, rows: rows, columns: columns)
        }
    }

    @usableFromInline protocol Height { static var rows: Int { get } }
    @usableFromInline enum FourRows: Height { @usableFromInline static var rows: Int { 4 } }
    @usableFromInline enum EightRows: Height { @usableFromInline static var rows: Int { 8 } }
    @usableFromInline enum TwelveRows: Height { @usableFromInline static var rows: Int { 12 } }

    @inlinable @inline(__always)
    static func tile<V: SIMD, H: Height>(_ vector: V.Type, _ height: H.Type, k: Int, a: UnsafePointer<Float>,
                                          b: UnsafePointer<Float>, bStride: Int, alpha: Float, beta: Float,
                                          c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int) where V.Scalar == Float {
        let tall = H.rows > 4, tallest = H.rows > 8
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
        var c6 = V(), c7 = V(), c8 = V(), c9 = V(), c10 = V(), c11 = V()
        let rawB = UnsafeRawPointer(b)
        var ap = a
        var bOffset = 0
        for _ in 0..<k {
            let bv = rawB.loadUnaligned(fromByteOffset: bOffset, as: V.self)
            c0.addProduct(V(repeating: ap[0]), bv)
            c1.addProduct(V(repeating: ap[1]), bv)
            c2.addProduct(V(repeating: ap[2]), bv)
            c3.addProduct(V(repeating: ap[3]), bv)
            if tall {
                c4.addProduct(V(repeating: ap[4]), bv)
                c5.addProduct(V(repeating: ap[5]), bv)
                c6.addProduct(V(repeating: ap[6]), bv)
                c7.addProduct(V(repeating: ap[7]), bv)
            }
            if tallest {
                c8.addProduct(V(repeating: ap[8]), bv)
                c9.addProduct(V(repeating: ap[9]), bv)
                c10.addProduct(V(repeating: ap[10]), bv)
                c11.addProduct(V(repeating: ap[11]), bv)
            }
            ap += 12
            bOffset += bStride * 4
        }
        if rows == H.rows && columns == V.scalarCount {
            storeRow(c, c0, alpha: alpha, beta: beta)
            storeRow(c + ldc, c1, alpha: alpha, beta: beta)
            storeRow(c + 2 * ldc, c2, alpha: alpha, beta: beta)
            storeRow(c + 3 * ldc, c3, alpha: alpha, beta: beta)
            if tall {
                storeRow(c + 4 * ldc, c4, alpha: alpha, beta: beta)
                storeRow(c + 5 * ldc, c5, alpha: alpha, beta: beta)
                storeRow(c + 6 * ldc, c6, alpha: alpha, beta: beta)
                storeRow(c + 7 * ldc, c7, alpha: alpha, beta: beta)
            }
            if tallest {
                storeRow(c + 8 * ldc, c8, alpha: alpha, beta: beta)
                storeRow(c + 9 * ldc, c9, alpha: alpha, beta: beta)
                storeRow(c + 10 * ldc, c10, alpha: alpha, beta: beta)
                storeRow(c + 11 * ldc, c11, alpha: alpha, beta: beta)
            }
            return
        }
        // Edge tile: spill to a stack tile and copy only the valid part.
        withUnsafeTemporaryAllocation(of: V.self, capacity: 12) { tile in
            tile[0] = c0; tile[1] = c1; tile[2] = c2; tile[3] = c3; tile[4] = c4; tile[5] = c5
            tile[6] = c6; tile[7] = c7; tile[8] = c8; tile[9] = c9; tile[10] = c10; tile[11] = c11
            for r in 0..<rows {
                let row = c + r * ldc
                let values = tile[r]
                for j in 0..<columns {
                    let value = alpha * values[j]
                    row[j] = beta == 0 ? value : value + beta * row[j]
                }
            }
        }
    }

    /// C row = alpha·acc + beta·C, never reading C when beta == 0.
    @inlinable @inline(__always)
    static func storeRow<V: SIMD>(_ c: UnsafeMutablePointer<Float>, _ acc: V, alpha: Float, beta: Float) where V.Scalar == Float {
        let raw = UnsafeMutableRawPointer(c)
        var out = acc * alpha
        if beta != 0 { out.addProduct(beta, raw.loadUnaligned(as: V.self)) }
        raw.storeBytes(of: out, as: V.self)
    }
}
