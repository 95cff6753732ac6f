import CharRNNTile

/// Goto/BLIS-style blocking: for each KC×NC block of op(B) (packed into NR-wide column panels) and
/// each MC×KC block of op(A) (packed into MR-tall row panels), an MR×NR register tile of C is
/// accumulated by the micro-kernel. Packing makes every transpose variant run the same inner loop
/// over contiguous memory; zero padding of panels removes edge cases from the micro-kernel.
extension GEMM {
    /// Register tile: 12 rows × 16 columns, as twelve SIMD16 accumulators on AVX-512 CPUs, else as
    /// two 12×8 tiles of twelve SIMD8 each (`RegisterTile`). Packed B panels are 16 wide either way,
    /// and which one runs never changes a result.
    static let mr = 12
    static let nr = 16
    static let wide = CPUFeatures.hasAVX512
    /// KC×NR B micro-panel (16 KiB) stays in L1; MC×KC A block (120 KiB) in L2; KC×NC B block in L2/L3.
    static let kc = 256
    static let mc = 120
    static let nc = 2048

    /// Where the blocks of op(B) come from: packed now into scratch, or packed earlier by `packB`.
    enum BSource {
        case raw(transB: Bool, b: UnsafePointer<Float>, ldb: Int)
        case prepacked(UnsafePointer<Float>)
    }

    static func blocked(
        transA: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b source: BSource, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, columns: Range<Int>? = nil
    ) {
        let scratch = GEMMScratch.forCurrentThread()
        let packedA = scratch.a
        // A column range (from `parallelBlocked`) starts on a multiple of NR; its NC blocks keep the
        // whole matrix's boundaries, which a prepacked B is laid out by.
        let end = columns?.upperBound ?? n
        var jc = columns?.lowerBound ?? 0
        while jc < end {
            let blockStart = jc / nc * nc
            let ncBlock = min(blockStart + nc, end) - jc
            var pc = 0
            while pc < k {
                let kcBlock = min(kc, k - pc)
                // The first K block applies beta; later ones accumulate onto it.
                let blockBeta: Float = pc == 0 ? beta : 1
                let packedB: UnsafePointer<Float>
                switch source {
                case let .raw(transB, b, ldb):
                    packB(transB: transB, b: b, ldb: ldb, row: pc, column: jc, k: kcBlock, n: ncBlock, into: scratch.b)
                    packedB = UnsafePointer(scratch.b)
                case let .prepacked(base):
                    packedB = prepackedPanels(base, column: jc, row: pc, kBlock: kcBlock, k: k, n: n)
                }
                var ic = 0
                while ic < m {
                    let mcBlock = min(mc, m - ic)
                    packA(transA: transA, a: a, lda: lda, row: ic, column: pc, m: mcBlock, k: kcBlock, into: packedA)
                    macroKernel(m: mcBlock, n: ncBlock, k: kcBlock, alpha: alpha, packedA: packedA, packedB: packedB,
                                beta: blockBeta, c: c + ic * ldc + jc, ldc: ldc)
                    ic += mcBlock
                }
                pc += kcBlock
            }
            jc += ncBlock
        }
    }

    /// Prepacked layout: the KC×NC blocks in the order `blocked` visits them (NC blocks outer, KC
    /// blocks inner), each as `packB` writes it (width rounded up to NR).
    @inline(__always)
    static func prepackedOffset(column jc: Int, row pc: Int, k: Int, n: Int) -> Int {
        let width = min(nc, n - jc)
        return jc * k + pc * ((width + nr - 1) / nr * nr)
    }

    /// Where the panels of columns `jc`… of the KC block at row `pc` start in a prepacked B (`jc` on
    /// a multiple of NR, inside the NC block that holds it).
    @inline(__always)
    static func prepackedPanels(_ base: UnsafePointer<Float>, column jc: Int, row pc: Int, kBlock: Int, k: Int, n: Int)
        -> UnsafePointer<Float> {
        base + prepackedPanelOffset(column: jc, row: pc, kBlock: kBlock, k: k, n: n)
    }

    /// The offset `prepackedPanels` points at, for the packer that writes those panels.
    @inline(__always)
    static func prepackedPanelOffset(column jc: Int, row pc: Int, kBlock: Int, k: Int, n: Int) -> Int {
        let blockStart = jc / nc * nc
        return prepackedOffset(column: blockStart, row: pc, k: k, n: n) + (jc - blockStart) * kBlock
    }

    /// Walks the MR×NR tiles of one packed block; B's micro-panel is reused across all A panels.
    @inline(__always)
    static func macroKernel(
        m: Int, n: Int, k: Int, alpha: Float, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let wide = Self.wide
        var j = 0
        while j < n {
            let cols = min(nr, n - j)
            let bPanel = packedB + j * k
            var i = 0
            while i < m {
                let rows = min(mr, m - i)
                let a = packedA + i * k, tile = c + i * ldc + j
                if wide {
                    RegisterTile.wideTile(k: k, a: a, b: bPanel, alpha: alpha, beta: beta, c: tile, ldc: ldc, rows: rows, columns: cols)
                } else {
                    halfTile(k: k, a: a, b: bPanel, alpha: alpha, beta: beta, c: tile, ldc: ldc, rows: rows, columns: min(cols, 8))
                    if cols > 8 {
                        halfTile(k: k, a: a, b: bPanel + 8, alpha: alpha, beta: beta, c: tile + 8, ldc: ldc, rows: rows, columns: cols - 8)
                    }
                }
                i += mr
            }
            j += nr
        }
    }

    /// Eight columns of a tile with the 8-wide kernel, from a 16-wide B panel.
    @inline(__always)
    static func halfTile(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, alpha: Float, beta: Float,
                         c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int) {
        RegisterTile.run(SIMD8<Float>.self, k: k, a: a, b: b, bStride: nr, alpha: alpha, beta: beta, c: c, ldc: ldc,
                         rows: rows, columns: columns)
    }
}
