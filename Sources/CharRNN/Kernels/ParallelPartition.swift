/// A fixed split of `count` items into at most `parts` contiguous blocks of whole granules. Every
/// kernel that uses it computes each output element in the same order whatever block it is in, so
/// the blocks (and which thread runs them) never change a result: N threads give the same bits as one.
struct ParallelPartition {
    let count: Int
    let blockSize: Int
    /// Non-empty blocks (≤ the parts asked for).
    let parts: Int

    init(count: Int, parts wanted: Int, granule: Int) {
        let granules = (count + granule - 1) / granule
        let perPart = (granules + wanted - 1) / max(wanted, 1)
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
    /// Fewest sequences per block in a recurrence, and the multiple a block starts on.
    var minimumSequences: Int
    var sequenceGranule: Int
    /// Fewest hidden units per thread when a recurrence is split by units (all sequences on every
    /// thread, one barrier per time step) instead of by sequences.
    var minimumUnits: Int
    /// Sequences per thread from which a recurrence is split by sequences even where it could be
    /// split by units: blocks of a few register tiles each run their time loop with no wait per
    /// step, which beats the barrier's waits and each thread's re-packing of the whole state.
    var sequencesPerThreadOverUnits: Int
    /// GEMM row blocks start on multiples of this (12 = the micro-tile: no partial tiles).
    var rowGranule: Int
    /// Fewest elements summed per block in a column sum, and fewest columns.
    var minimumSumElements: Int
    var minimumColumns: Int
    /// Blocks per thread in a region: more than one lets a thread the machine delays fall behind by
    /// one block, not by a thread's whole share.
    var partsPerThread: Int

    static let measured = SplitPolicy(minimumMACs: 1 << 19, minimumSequences: 16, sequenceGranule: 4, minimumUnits: 32,
                                      sequencesPerThreadOverUnits: 32, rowGranule: GEMM.mr, minimumSumElements: 1 << 16,
                                      minimumColumns: 256, partsPerThread: 4)
    static let finest = SplitPolicy(minimumMACs: 0, minimumSequences: 1, sequenceGranule: 1, minimumUnits: GEMM.nr,
                                    sequencesPerThreadOverUnits: .max, rowGranule: 1, minimumSumElements: 0, minimumColumns: 1,
                                    partsPerThread: 2)
}

/// Which ways a recurrence may be split over a pool's threads: `automatic` picks units or sequences
/// per layer and batch (what trainers use); `sequences` never splits by units and `units` does
/// wherever the units fall on whole panels (for benchmarks that compare the two).
public enum RecurrenceSplit: String, Sendable, CaseIterable {
    case automatic, sequences, units
}

extension ThreadPool {
    public convenience init(size: Int, cores: [Int]? = nil, recurrenceSplit: RecurrenceSplit) {
        var policy = SplitPolicy.measured
        switch recurrenceSplit {
        case .automatic: break
        case .sequences: policy.minimumUnits = .max
        case .units: policy.sequencesPerThreadOverUnits = .max
        }
        self.init(size: size, policy: policy, cores: cores)
    }

    /// Runs `body` on the blocks of `count` items on the calling thread's pool, or on one block when
    /// there is no pool or a block would hold fewer than `minimumBlock` items.
    static func forEachBlock(of count: Int, granule: Int, minimumBlock: Int, _ body: (Range<Int>) -> Void) {
        guard let pool = current else {
            body(0..<count)
            return
        }
        forEachBlock(of: count, on: pool, granule: granule, minimumBlock: minimumBlock, body)
    }

    /// Runs `body` on blocks of `count` items that each cost about `width` element operations (a row
    /// of `width` floats, or 1 for single elements), split over the calling thread's pool when a block
    /// would still hold at least `minimumSumElements` operations. Blocks start on multiples of 8.
    static func forEachElementBlock(of count: Int, width: Int = 1, _ body: (Range<Int>) -> Void) {
        guard let pool = current else { return body(0..<count) }
        let minimumItems = pool.policy.minimumSumElements / max(width, 1)
        forEachBlock(of: count, on: pool, granule: 8, minimumBlock: max(minimumItems, 1), body)
    }

    /// Runs `body` on column blocks of a `rows` × `width` sum or scatter over the calling thread's
    /// pool. A block is whole cache lines and at least `minimumColumns` wide: each thread walks
    /// every row, and narrower blocks would read a cache line per row for a few floats of it.
    static func forEachColumnBlock(of width: Int, rows: Int, _ body: (Range<Int>) -> Void) {
        guard let pool = current else { return body(0..<width) }
        let minimumColumns = max(pool.policy.minimumSumElements / max(rows, 1), pool.policy.minimumColumns)
        forEachBlock(of: width, on: pool, granule: 16, minimumBlock: minimumColumns, body)
    }

    /// Runs `body` on one contiguous block of `count` items per thread of the calling thread's pool
    /// (fewer when there are fewer items), for items that each are worth a thread, such as whole
    /// groups of sequences.
    static func forEachWholeBlock(of count: Int, _ body: (Range<Int>) -> Void) {
        guard let pool = current else { return body(0..<count) }
        forEachBlock(of: count, on: pool, granule: 1, minimumBlock: 1, blocksPerThread: 1, body)
    }

    /// Blocks of at least `minimumBlock` items, at most `blocksPerThread` per thread (the policy's
    /// `partsPerThread` unless given).
    static func forEachBlock(of count: Int, on pool: ThreadPool, granule: Int, minimumBlock: Int, blocksPerThread: Int? = nil,
                             _ body: (Range<Int>) -> Void) {
        let minimumBlock = max(minimumBlock, 1)
        guard count >= 2 * minimumBlock else {
            body(0..<count)
            return
        }
        let parts = min(pool.size * (blocksPerThread ?? pool.policy.partsPerThread), count / minimumBlock)
        let partition = ParallelPartition(count: count, parts: parts, granule: granule)
        pool.run(parts: partition.parts) { body(partition.block($0)) }
    }
}
