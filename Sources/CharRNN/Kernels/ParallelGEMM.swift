/// The blocked GEMM split over the calling thread's pool. C is cut into blocks of whole
/// micro-tiles (12 rows or 8 columns), whichever dimension has more tiles; each block is computed
/// with the full K loop in the single-threaded order, so the result is bit-identical to one thread
/// and no reduction across threads exists.
extension GEMM {
    static func parallelBlocked(
        transA: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b source: BSource, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard let pool = ThreadPool.current, m * n * k >= pool.policy.minimumMACs else {
            blocked(transA: transA, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: source, beta: beta, c: c, ldc: ldc)
            return
        }
        let rowTiles = (m + mr - 1) / mr, columnTiles = (n + nr - 1) / nr
        // Up to `partsPerThread` blocks per thread, each at least `minimumMACs` of work.
        let policy = pool.policy
        let parts = min(pool.size * policy.partsPerThread, max(pool.size, m * n * k / max(policy.minimumMACs, 1)))
        if rowTiles >= columnTiles {
            // Each row block packs all of a raw B for itself: keep the blocks large enough (4 A blocks
            // of `mc` rows) that the packing stays a small share of their product.
            var rowParts = min(parts, rowTiles)
            if case .raw = source { rowParts = min(rowParts, max(pool.size, m / (4 * mc))) }
            let rows = ParallelPartition(count: m, parts: rowParts, granule: policy.rowGranule)
            pool.run(parts: rows.parts) { part in
                let block = rows.block(part)
                // Row i of op(A) starts at a + i·lda, or at a + i when A is stored transposed.
                let aBlock = a + block.lowerBound * (transA ? 1 : lda)
                blocked(transA: transA, m: block.count, n: n, k: k, alpha: alpha, a: aBlock, lda: lda, b: source,
                        beta: beta, c: c + block.lowerBound * ldc, ldc: ldc)
            }
        } else {
            let columns = ParallelPartition(count: n, parts: min(parts, columnTiles), granule: nr)
            pool.run(parts: columns.parts) { part in
                blocked(transA: transA, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: source, beta: beta, c: c, ldc: ldc,
                        columns: columns.block(part))
            }
        }
    }
}
