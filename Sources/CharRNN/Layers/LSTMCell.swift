/// One LSTM time step for a batch, fused into a single pass over contiguous memory per row
/// (gates [i|f|g|o] of 4H, then c and h of H), eight hidden units at a time. `units` is the range of
/// hidden units to compute (a thread's share when a step is split by units; all of 0..<H otherwise).
enum LSTMCell {
    /// Gate pre-activations → activations in place; c = σf·c' + σi·tanh g, h = σo·tanh c.
    static func forward(gates: UnsafeMutablePointer<Float>, cellPrev: UnsafePointer<Float>,
                        cell: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>,
                        batch: Int, width h: Int, units: Range<Int>) {
        let end = units.lowerBound + (units.count & ~7)
        for b in 0..<batch {
            let row = gates + b * 4 * h, o = b * h
            var j = units.lowerBound
            while j < end {
                forwardLanes(FullLanes.self, row + j, cellPrev + o + j, cell + o + j, hidden + o + j, h, 8)
                j += 8
            }
            if j < units.upperBound { forwardLanes(PartialLanes.self, row + j, cellPrev + o + j, cell + o + j, hidden + o + j, h, units.upperBound - j) }
        }
    }

    @inline(__always)
    private static func forwardLanes<A: LaneAccess>(_: A.Type, _ row: UnsafeMutablePointer<Float>, _ cellPrev: UnsafePointer<Float>,
                                                    _ cell: UnsafeMutablePointer<Float>, _ hidden: UnsafeMutablePointer<Float>,
                                                    _ h: Int, _ n: Int) {
        let i = SIMDMath.sigmoid(A.load(row, n))
        let f = SIMDMath.sigmoid(A.load(row + h, n))
        let g = cellTanh(A.load(row + 2 * h, n))
        let og = SIMDMath.sigmoid(A.load(row + 3 * h, n))
        let c = f * A.load(cellPrev, n) + i * g
        A.store(i, row, n)
        A.store(f, row + h, n)
        A.store(g, row + 2 * h, n)
        A.store(og, row + 3 * h, n)
        A.store(c, cell, n)
        A.store(og * cellTanh(c), hidden, n)
    }

    /// Gate activations → gradients w.r.t. the pre-activations, in place. `dh` is dL/dh_t; `dc`
    /// holds dL/dc_t from step t+1 on entry and dL/dc_{t-1} on return. tanh c_t is recomputed
    /// (bit-identical to the forward's) rather than stored: a [B·L, H] buffer less.
    static func backward(gates: UnsafeMutablePointer<Float>, cellPrev: UnsafePointer<Float>,
                         cell: UnsafePointer<Float>, dh: UnsafePointer<Float>,
                         dc: UnsafeMutablePointer<Float>, batch: Int, width h: Int, units: Range<Int>) {
        let end = units.lowerBound + (units.count & ~7)
        for b in 0..<batch {
            let row = gates + b * 4 * h, o = b * h
            var j = units.lowerBound
            while j < end {
                backwardLanes(FullLanes.self, row + j, cellPrev + o + j, cell + o + j, dh + o + j, dc + o + j, h, 8)
                j += 8
            }
            if j < units.upperBound { backwardLanes(PartialLanes.self, row + j, cellPrev + o + j, cell + o + j, dh + o + j, dc + o + j, h, units.upperBound - j) }
        }
    }

    @inline(__always)
    private static func backwardLanes<A: LaneAccess>(_: A.Type, _ row: UnsafeMutablePointer<Float>, _ cellPrev: UnsafePointer<Float>,
                                                     _ cell: UnsafePointer<Float>, _ dh: UnsafePointer<Float>,
                                                     _ dc: UnsafeMutablePointer<Float>, _ h: Int, _ n: Int) {
        let i = A.load(row, n), f = A.load(row + h, n)
        let g = A.load(row + 2 * h, n), og = A.load(row + 3 * h, n)
        let tc = cellTanh(A.load(cell, n)), dhj = A.load(dh, n)
        let dcj = A.load(dc, n) + dhj * og * (1 - tc * tc)
        A.store(dcj * g * i * (1 - i), row, n)
        A.store(dcj * A.load(cellPrev, n) * f * (1 - f), row + h, n)
        A.store(dcj * i * (1 - g * g), row + 2 * h, n)
        A.store(dhj * tc * og * (1 - og), row + 3 * h, n)
        A.store(dcj * f, dc, n)
    }
}
