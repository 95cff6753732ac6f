/// The GEMM register tile for CPUs with AVX-512: 12 rows × 16 columns, twelve SIMD16 accumulators.
/// This module alone is compiled for `skylake-avx512`, so its code runs only where the caller has
/// checked the CPU (`CPUFeatures.hasAVX512`); the rest of the trainer stays portable (`haswell`).
///
/// Each output element is the same chain of fused multiply-adds over k, in the same order, as in
/// the 8-wide kernel: the two kernels give identical bits, and a machine's choice never shows in a
/// result.
public enum WideMicroKernel {
    /// Columns of the tile: the packed B panel holds this many floats per k.
    public static let columns = 16
    /// Rows of the tile: the packed A panel holds this many floats per k (zero-padded).
    public static let rows = 12

    /// C[rows×columns] = alpha · (A panel · B panel) + beta · C for one tile (`rows ≤ 12`,
    /// `columns ≤ 16`), never reading C when beta == 0.
    public static func tile(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, alpha: Float, beta: Float,
                            c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int) {
        switch rows {
        case ...4: run(FourRows.self, k: k, a: a, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc, rows: rows, columns: columns)
        case ...8: run(EightRows.self, k: k, a: a, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc, rows: rows, columns: columns)
        default: run(TwelveRows.self, k: k, a: a, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc, rows: rows, columns: columns)
        }
    }

    // A batch that is not a multiple of 12 ends in a 4- or 8-row tile; specialization drops the
    // unused rows' FMAs.
    private protocol Height { static var rows: Int { get } }
    private enum FourRows: Height { static var rows: Int { 4 } }
    private enum EightRows: Height { static var rows: Int { 8 } }
    private enum TwelveRows: Height { static var rows: Int { 12 } }

    @inline(__always)
    private static func run<H: Height>(_ height: H.Type, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                       alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                                       rows: Int, columns: Int) {
        typealias V = SIMD16<Float>
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
            ap += Self.rows
            bOffset += Self.columns * 4
        }
        if rows == H.rows && columns == Self.columns {
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

    /// C row (16 floats) = alpha·acc + beta·C, never reading C when beta == 0.
    @inline(__always)
    private static func storeRow(_ c: UnsafeMutablePointer<Float>, _ acc: SIMD16<Float>, alpha: Float, beta: Float) {
        let raw = UnsafeMutableRawPointer(c)
        var out = acc * alpha
        if beta != 0 { out.addProduct(beta, raw.loadUnaligned(as: SIMD16<Float>.self)) }
        raw.storeBytes(of: out, as: SIMD16<Float>.self)
    }
}
