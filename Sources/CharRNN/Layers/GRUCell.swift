/// One GRU time step for a batch, fused into a single pass per row (gates [r|z|n] of 3H), eight
/// hidden units at a time. `units` is the range of hidden units to compute (a thread's share when a
/// step is split by units; all of 0..<H otherwise).
enum GRUCell {
    /// `gates` holds W_i x + b_i and `projection` W_h h + b_h; on return `gates` holds r, z, n and
    /// `hidden` h = n + z·(h' − n).
    static func forward(gates: UnsafeMutablePointer<Float>, projection: UnsafePointer<Float>,
                        hiddenPrev: UnsafePointer<Float>, hidden: UnsafeMutablePointer<Float>,
                        batch: Int, width h: Int, units: Range<Int>) {
        let end = units.lowerBound + (units.count & ~7)
        for b in 0..<batch {
            let row = gates + b * 3 * h, prow = projection + b * 3 * h, o = b * h
            var j = units.lowerBound
            while j < end {
                forwardLanes(FullLanes.self, row + j, prow + j, hiddenPrev + o + j, hidden + o + j, h, 8)
                j += 8
            }
            if j < units.upperBound { forwardLanes(PartialLanes.self, row + j, prow + j, hiddenPrev + o + j, hidden + o + j, h, units.upperBound - j) }
        }
    }

    @inline(__always)
    private static func forwardLanes<A: LaneAccess>(_: A.Type, _ row: UnsafeMutablePointer<Float>, _ prow: UnsafePointer<Float>,
                                                    _ hiddenPrev: UnsafePointer<Float>, _ hidden: UnsafeMutablePointer<Float>,
                                                    _ h: Int, _ n: Int) {
        let r = SIMDMath.sigmoid(A.load(row, n) + A.load(prow, n))
        let z = SIMDMath.sigmoid(A.load(row + h, n) + A.load(prow + h, n))
        let nj = cellTanh(A.load(row + 2 * h, n) + r * A.load(prow + 2 * h, n))
        A.store(r, row, n)
        A.store(z, row + h, n)
        A.store(nj, row + 2 * h, n)
        A.store(nj + z * (A.load(hiddenPrev, n) - nj), hidden, n)
    }

    /// r, z, n in `gates` and W_h h + b_h in `projection` → gradients w.r.t. the input-side
    /// (`gates`) and hidden-side (`projection`) pre-activations, in place. `dh` holds dL/dh_t on
    /// entry and the direct part z·dL/dh_t of dL/dh_{t-1} on return.
    static func backward(gates: UnsafeMutablePointer<Float>, projection: UnsafeMutablePointer<Float>,
                         hiddenPrev: UnsafePointer<Float>, dh: UnsafeMutablePointer<Float>,
                         batch: Int, width h: Int, units: Range<Int>) {
        let end = units.lowerBound + (units.count & ~7)
        for b in 0..<batch {
            let row = gates + b * 3 * h, prow = projection + b * 3 * h, o = b * h
            var j = units.lowerBound
            while j < end {
                backwardLanes(FullLanes.self, row + j, prow + j, hiddenPrev + o + j, dh + o + j, h, 8)
                j += 8
            }
            if j < units.upperBound { backwardLanes(PartialLanes.self, row + j, prow + j, hiddenPrev + o + j, dh + o + j, h, units.upperBound - j) }
        }
    }

    @inline(__always)
    private static func backwardLanes<A: LaneAccess>(_: A.Type, _ row: UnsafeMutablePointer<Float>, _ prow: UnsafeMutablePointer<Float>,
                                                     _ hiddenPrev: UnsafePointer<Float>, _ dh: UnsafeMutablePointer<Float>,
                                                     _ h: Int, _ n: Int) {
        let r = A.load(row, n), z = A.load(row + h, n), nj = A.load(row + 2 * h, n)
        let hn = A.load(prow + 2 * h, n), dhj = A.load(dh, n)
        let dnPre = dhj * (1 - z) * (1 - nj * nj)
        let dzPre = dhj * (A.load(hiddenPrev, n) - nj) * z * (1 - z)
        let drPre = dnPre * hn * r * (1 - r)
        A.store(drPre, row, n)
        A.store(dzPre, row + h, n)
        A.store(dnPre, row + 2 * h, n)
        A.store(drPre, prow, n)
        A.store(dzPre, prow + h, n)
        A.store(dnPre * r, prow + 2 * h, n)
        A.store(dhj * z, dh, n)
    }
}
