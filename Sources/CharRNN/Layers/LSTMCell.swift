/// One LSTM time step for a batch, fused into a single pass over contiguous memory per row
/// (gates [i|f|g|o] of 4H, then c and h of H), eight hidden units at a time.
enum LSTMCell {
    /// Gate pre-activations → activations in place; c = σf·c' + σi·tanh g, h = σo·tanh c.
    static func forward(gates: UnsafeMutablePointer<Float>, cellPrev: UnsafePointer<Float>,
                        cell: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>,
                        batch: Int, width h: Int) {
        for b in 0..<batch {
            let row = gates + b * 4 * h, o = b * h
            var j = 0
            while j < h {
                let n = h - j
                let i = SIMDMath.sigmoid(loadLanes(row + j, n))
                let f = SIMDMath.sigmoid(loadLanes(row + h + j, n))
                let g = SIMDMath.tanh(loadLanes(row + 2 * h + j, n))
                let og = SIMDMath.sigmoid(loadLanes(row + 3 * h + j, n))
                let c = f * loadLanes(cellPrev + o + j, n) + i * g
                let tc = SIMDMath.tanh(c)
                storeLanes(i, row + j, n)
                storeLanes(f, row + h + j, n)
                storeLanes(g, row + 2 * h + j, n)
                storeLanes(og, row + 3 * h + j, n)
                storeLanes(c, cell + o + j, n)
                storeLanes(og * tc, hidden + o + j, n)
                j += 8
            }
        }
    }

    /// Gate activations → gradients w.r.t. the pre-activations, in place. `dh` is dL/dh_t; `dc`
    /// holds dL/dc_t from step t+1 on entry and dL/dc_{t-1} on return. tanh c_t is recomputed
    /// (bit-identical to the forward's) rather than stored: a [B·L, H] buffer less.
    static func backward(gates: UnsafeMutablePointer<Float>, cellPrev: UnsafePointer<Float>,
                         cell: UnsafePointer<Float>, dh: UnsafePointer<Float>,
                         dc: UnsafeMutablePointer<Float>, batch: Int, width h: Int) {
        for b in 0..<batch {
            let row = gates + b * 4 * h, o = b * h
            var j = 0
            while j < h {
                let n = h - j
                let i = loadLanes(row + j, n), f = loadLanes(row + h + j, n)
                let g = loadLanes(row + 2 * h + j, n), og = loadLanes(row + 3 * h + j, n)
                let tc = SIMDMath.tanh(loadLanes(cell + o + j, n)), dhj = loadLanes(dh + o + j, n)
                let dcj = loadLanes(dc + o + j, n) + dhj * og * (1 - tc * tc)
                storeLanes(dcj * g * i * (1 - i), row + j, n)
                storeLanes(dcj * loadLanes(cellPrev + o + j, n) * f * (1 - f), row + h + j, n)
                storeLanes(dcj * i * (1 - g * g), row + 2 * h + j, n)
                storeLanes(dhj * tc * og * (1 - og), row + 3 * h + j, n)
                storeLanes(dcj * f, dc + o + j, n)
                j += 8
            }
        }
    }
}
