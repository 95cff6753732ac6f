/// A fixed split of `count` items into contiguous blocks of whole granules, one per thread. The
/// blocks depend only on the count, the thread count and the granule, and every kernel that uses
/// them computes each output element in the same order as on one thread: N threads give the same
/// bits as one.
struct ParallelPartition {
    let count: Int
    let blockSize: Int
    /// Non-empty blocks (≤ the threads asked for).
    let parts: Int

    init(count: Int, threads: Int, granule: Int) {
        let granules = (count + granule - 1) / granule
        let perPart = (granules + threads - 1) / max(threads, 1)
        self.count = count
        blockSize = max(perPart * granule, granule)
        parts = count == 0 ? 0 : (count + blockSize - 1) / blockSize
    }

    func block(_ part: Int) -> Range<Int> {
        let start = min(count, part * blockSize)
        return start..<min(count, start + blockSize)
    }
}

/// How small a piece of work the kernels split over a pool. `measured` keeps work that costs less
/// than waking a thread (tens of microseconds on a loaded machine) on one thread; `finest` splits
/// everything, so tests reach every split path with small models.
struct SplitPolicy: Sendable {
    /// GEMMs with fewer multiply-adds run on one thread.
    var minimumMACs: Int
    /// Fewest sequences per thread in a recurrence, and the multiple a block starts on.
    var minimumSequences: Int
    var sequenceGranule: Int
    /// GEMM row blocks start on multiples of this (12 = the micro-tile: no partial tiles).
    var rowGranule: Int
    /// Fewest elements summed per thread in a column sum.
    var minimumSumElements: Int

    static let measured = SplitPolicy(minimumMACs: 1 << 19, minimumSequences: 16, sequenceGranule: 4,
                                      rowGranule: GEMM.mr, minimumSumElements: 1 << 16)
    static let finest = SplitPolicy(minimumMACs: 0, minimumSequences: 1, sequenceGranule: 1, rowGranule: 1,
                                    minimumSumElements: 0)
}

extension ThreadPool {
    /// Runs `body` on the blocks of `count` items on the calling thread's pool, or on one block when
    /// there is no pool or a block would hold fewer than `minimumBlock` items.
    static func forEachBlock(of count: Int, granule: Int, minimumBlock: Int, _ body: (Range<Int>) -> Void) {
        guard let pool = current else {
            body(0..<count)
            return
        }
        forEachBlock(of: count, on: pool, granule: granule, minimumBlock: minimumBlock, body)
    }

    static func forEachBlock(of count: Int, on pool: ThreadPool, granule: Int, minimumBlock: Int, _ body: (Range<Int>) -> Void) {
        let minimumBlock = max(minimumBlock, 1)
        guard count >= 2 * minimumBlock else {
            body(0..<count)
            return
        }
        let threads = min(pool.size, count / minimumBlock)
        let partition = ParallelPartition(count: count, threads: threads, granule: granule)
        pool.run(parts: partition.parts) { body(partition.block($0)) }
    }
}
