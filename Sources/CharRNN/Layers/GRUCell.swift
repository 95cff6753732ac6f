/// One GRU time step for a batch, fused into a single pass per row (gates [r|z|n] of 3H), eight
/// hidden units at a time.
enum GRUCell {
    /// `gates` holds W_i x + b_i and `projection` W_h h + b_h; on return `gates` holds r, z, n and
    /// `hidden` h = n + z·(h' − n).
    static func forward(gates: UnsafeMutablePointer<Float>, projection: UnsafePointer<Float>,
                        hiddenPrev: UnsafePointer<Float>, hidden: UnsafeMutablePointer<Float>,
                        batch: Int, width h: Int) {
        for b in 0..<batch {
            let row = gates + b * 3 * h, prow = projection + b * 3 * h, o = b * h
            var j = 0
            while j < h {
                let n = h - j
                let r = SIMDMath.sigmoid(loadLanes(row + j, n) + loadLanes(prow + j, n))
                let z = SIMDMath.sigmoid(loadLanes(row + h + j, n) + loadLanes(prow + h + j, n))
                let nj = SIMDMath.tanh(loadLanes(row + 2 * h + j, n) + r * loadLanes(prow + 2 * h + j, n))
                storeLanes(r, row + j, n)
                storeLanes(z, row + h + j, n)
                storeLanes(nj, row + 2 * h + j, n)
                storeLanes(nj + z * (loadLanes(hiddenPrev + o + j, n) - nj), hidden + o + j, n)
                j += 8
            }
        }
    }

    /// r, z, n in `gates` and W_h h + b_h in `projection` → gradients w.r.t. the input-side
    /// (`gates`) and hidden-side (`projection`) pre-activations, in place. `dh` holds dL/dh_t on
    /// entry and the direct part z·dL/dh_t of dL/dh_{t-1} on return.
    static func backward(gates: UnsafeMutablePointer<Float>, projection: UnsafeMutablePointer<Float>,
                         hiddenPrev: UnsafePointer<Float>, dh: UnsafeMutablePointer<Float>,
                         batch: Int, width h: Int) {
        for b in 0..<batch {
            let row = gates + b * 3 * h, prow = projection + b * 3 * h, o = b * h
            var j = 0
            while j < h {
                let n = h - j
                let r = loadLanes(row + j, n), z = loadLanes(row + h + j, n), nj = loadLanes(row + 2 * h + j, n)
                let hn = loadLanes(prow + 2 * h + j, n), dhj = loadLanes(dh + o + j, n)
                let dnPre = dhj * (1 - z) * (1 - nj * nj)
                let dzPre = dhj * (loadLanes(hiddenPrev + o + j, n) - nj) * z * (1 - z)
                let drPre = dnPre * hn * r * (1 - r)
                storeLanes(drPre, row + j, n)
                storeLanes(dzPre, row + h + j, n)
                storeLanes(dnPre, row + 2 * h + j, n)
                storeLanes(drPre, prow + j, n)
                storeLanes(dzPre, prow + h + j, n)
                storeLanes(dnPre * r, prow + 2 * h + j, n)
                storeLanes(dhj * z, dh + o + j, n)
                j += 8
            }
        }
    }
}
