/// The share of one recurrence (a layer's time loop, forward or backward) that one thread computes.
/// A batch is split either by sequences — each thread runs the whole time loop on its rows, with no
/// wait per step but each thread streaming all of W_hh every step — or by hidden units — every
/// thread takes all sequences and its units' columns of every gate, reads only its slice of W_hh,
/// and the threads meet once per step (`endStep`), since the next step's product reads every unit.
/// Either way each output element is computed in the single-threaded order.
struct RecurrenceBlock {
    /// Sequences of this block (rows of every [batch, ·] slot).
    let rows: Range<Int>
    /// Hidden units of this block: columns g·H + units of every gate g. Empty for a thread with no share.
    let units: Range<Int>
    /// Whether `units` covers every unit (the layer's fast paths then see whole rows).
    let allUnits: Bool
    let barrier: TeamBarrier?

    /// Waits until every block has finished the current time step (a no-op unless split by units).
    @inline(__always) func endStep() { barrier?.wait() }

    /// Calls `body(offset, count)` for the contiguous runs of this block's elements in a [rows, H]
    /// array that starts at the block's first row: one run for whole rows, else one per row.
    @inline(__always) func forEachSpan(width h: Int, _ body: (_ offset: Int, _ count: Int) -> Void) {
        if allUnits { return body(0, rows.count * h) }
        guard !units.isEmpty else { return }
        for r in 0..<rows.count { body(r * h + units.lowerBound, units.count) }
    }

    /// Copies this block's columns of `bias` ([gates·H]) into each of its rows of `out` (row stride gates·H).
    @inline(__always) func broadcast(_ bias: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, width h: Int, gates: Int) {
        if allUnits { return broadcastRows(bias, into: out, rows: rows.count, width: gates * h) }
        guard !units.isEmpty else { return }
        for r in 0..<rows.count {
            for g in 0..<gates {
                let column = g * h + units.lowerBound
                (out + r * gates * h + column).update(from: bias + column, count: units.count)
            }
        }
    }
}

extension RecurrentLayer {
    /// Runs `body` on the blocks of a `batch`-sequence recurrence over the trainer's threads (one
    /// block with no pool). Split by sequences when every thread gets enough of them; else by units
    /// when every thread gets at least `minimumUnits` units (whole SIMD/GEMM panels) and a step is
    /// worth a barrier; else by as many sequences as there are.
    func forEachRecurrenceBlock(batch: Int, _ body: (RecurrenceBlock) -> Void) {
        let whole = RecurrenceBlock(rows: 0..<batch, units: 0..<hiddenSize, allUnits: true, barrier: nil)
        guard let pool = ThreadPool.current else { return body(whole) }
        if let units = unitPartition(batch: batch, pool: pool) {
            pool.runTeam { member, barrier in
                let share = units.block(member)
                body(RecurrenceBlock(rows: 0..<batch, units: share, allUnits: share.count == hiddenSize, barrier: barrier))
            }
            return
        }
        // One block per thread: a block's recurrent products run on its rows only, and a block of
        // fewer rows than a few register tiles wastes most of each tile and rereads W_hh per block.
        ThreadPool.forEachBlock(of: batch, on: pool, granule: pool.policy.sequenceGranule,
                                minimumBlock: pool.policy.minimumSequences, blocksPerThread: 1) {
            body(RecurrenceBlock(rows: $0, units: 0..<hiddenSize, allUnits: true, barrier: nil))
        }
    }

    private func unitPartition(batch: Int, pool: ThreadPool) -> ParallelPartition? {
        let policy = pool.policy
        // Unit ranges must start on GEMM panel (and SIMD lane) boundaries inside every gate block.
        guard batch > 1, batch / pool.size < policy.sequencesPerThreadOverUnits, hiddenSize % GEMM.nr == 0,
              hiddenSize / pool.size >= max(policy.minimumUnits, 1), batch * gateWidth * hiddenSize >= policy.minimumMACs
        else { return nil }
        let partition = ParallelPartition(count: hiddenSize, parts: pool.size, granule: GEMM.nr)
        return partition.parts > 1 ? partition : nil
    }
}
