/// The 6×16 register tile: 12 SIMD8 accumulators, two B vectors and one broadcast A value fill 15 of
/// AVX2's 16 ymm registers, so the k loop is pure loads + FMAs with no spills.
extension GEMM {
    @inline(__always)
    static func microKernel6x16(
        k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, alpha: Float, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int
    ) {
        typealias V = SIMD8<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        let rawB = UnsafeRawPointer(b)
        var ap = a
        var bOffset = 0
        for _ in 0..<k {
            let b0 = rawB.loadUnaligned(fromByteOffset: bOffset, as: V.self)
            let b1 = rawB.loadUnaligned(fromByteOffset: bOffset + 32, as: V.self)
            var av = V(repeating: ap[0])
            c00.addProduct(av, b0); c01.addProduct(av, b1)
            av = V(repeating: ap[1])
            c10.addProduct(av, b0); c11.addProduct(av, b1)
            av = V(repeating: ap[2])
            c20.addProduct(av, b0); c21.addProduct(av, b1)
            av = V(repeating: ap[3])
            c30.addProduct(av, b0); c31.addProduct(av, b1)
            av = V(repeating: ap[4])
            c40.addProduct(av, b0); c41.addProduct(av, b1)
            av = V(repeating: ap[5])
            c50.addProduct(av, b0); c51.addProduct(av, b1)
            ap += 6
            bOffset += 64
        }

        if rows == mr && columns == nr {
            storeRow(c, c00, c01, alpha: alpha, beta: beta)
            storeRow(c + ldc, c10, c11, alpha: alpha, beta: beta)
            storeRow(c + 2 * ldc, c20, c21, alpha: alpha, beta: beta)
            storeRow(c + 3 * ldc, c30, c31, alpha: alpha, beta: beta)
            storeRow(c + 4 * ldc, c40, c41, alpha: alpha, beta: beta)
            storeRow(c + 5 * ldc, c50, c51, alpha: alpha, beta: beta)
            return
        }
        // Edge tile: spill to a stack tile and copy only the valid part.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 96) { tile in
            let t = UnsafeMutableRawPointer(tile.baseAddress!)
            t.storeBytes(of: c00, toByteOffset: 0, as: V.self); t.storeBytes(of: c01, toByteOffset: 32, as: V.self)
            t.storeBytes(of: c10, toByteOffset: 64, as: V.self); t.storeBytes(of: c11, toByteOffset: 96, as: V.self)
            t.storeBytes(of: c20, toByteOffset: 128, as: V.self); t.storeBytes(of: c21, toByteOffset: 160, as: V.self)
            t.storeBytes(of: c30, toByteOffset: 192, as: V.self); t.storeBytes(of: c31, toByteOffset: 224, as: V.self)
            t.storeBytes(of: c40, toByteOffset: 256, as: V.self); t.storeBytes(of: c41, toByteOffset: 288, as: V.self)
            t.storeBytes(of: c50, toByteOffset: 320, as: V.self); t.storeBytes(of: c51, toByteOffset: 352, as: V.self)
            let f = tile.baseAddress!
            for r in 0..<rows {
                let row = c + r * ldc
                for j in 0..<columns {
                    let value = alpha * f[r * nr + j]
                    row[j] = beta == 0 ? value : value + beta * row[j]
                }
            }
        }
    }

    /// C row (16 floats) = alpha·acc + beta·C, never reading C when beta == 0.
    @inline(__always)
    static func storeRow(_ c: UnsafeMutablePointer<Float>, _ lo: SIMD8<Float>, _ hi: SIMD8<Float>, alpha: Float, beta: Float) {
        let raw = UnsafeMutableRawPointer(c)
        var outLo = lo * alpha
        var outHi = hi * alpha
        if beta != 0 {
            outLo.addProduct(beta, raw.loadUnaligned(as: SIMD8<Float>.self))
            outHi.addProduct(beta, raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
        }
        raw.storeBytes(of: outLo, as: SIMD8<Float>.self)
        raw.storeBytes(of: outHi, toByteOffset: 32, as: SIMD8<Float>.self)
    }
}
