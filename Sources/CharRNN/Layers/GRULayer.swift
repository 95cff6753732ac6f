/// GRU layer (nn.GRU), gates stacked [r|z|n]:
/// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h' = (1 − z)·n + z·h.
final class GRULayer: RecurrentLayer {
    /// Input projections + b_ih, then r, z, n activations in place: [steps*batch, 3H].
    private let gates: UnsafeMutablePointer<Float>
    /// Hidden projections W_hh h + b_hh (the n block is needed for backward): [steps*batch, 3H].
    private let hiddenProjection: UnsafeMutablePointer<Float>
    /// Gradients w.r.t. the input-side and hidden-side projections (they differ in the n block).
    private let inputGateGradient: UnsafeMutablePointer<Float>
    private let hiddenGateGradient: UnsafeMutablePointer<Float>

    init(store: ParameterStore, layer: Int, inputSize: Int, hiddenSize: Int, maxBatch: Int, maxSteps: Int,
         maxDenseRows: Int, computesInputGradient: Bool, workspace: Workspace) {
        let size = maxSteps * maxBatch * 3 * hiddenSize
        gates = workspace.floats(size)
        hiddenProjection = workspace.floats(size)
        inputGateGradient = workspace.floats(size)
        hiddenGateGradient = workspace.floats(size)
        super.init(store: store, layer: layer, inputSize: inputSize, hiddenSize: hiddenSize, gates: 3,
                   maxBatch: maxBatch, maxSteps: maxSteps, maxDenseRows: maxDenseRows,
                   computesInputGradient: computesInputGradient,
                   workspace: workspace)
    }

    override func forwardSteps(batch: Int, steps: Int) {
        let h = hiddenSize, g3 = 3 * h
        projectInput(bias: bIH, into: gates, batch: batch, steps: steps)
        packRecurrentWeightsForForward()
        let zeroStart = startsFromZeroState
        for t in 0..<steps {
            let gt = gates + t * batch * g3, pt = hiddenProjection + t * batch * g3
            let hPrev = slot(t, batch: batch), ht = slot(t + 1, batch: batch)
            broadcastRows(bHH, into: pt, rows: batch, width: g3)
            if t > 0 || !zeroStart { recurrentProduct(hPrev, into: pt, batch: batch) }
            for b in 0..<batch {
                let row = gt + b * g3, prow = pt + b * g3
                addInPlace(row, prow, 2 * h)
                applySigmoid(row, 2 * h)
                for j in 0..<h { row[2 * h + j] += row[j] * prow[2 * h + j] }
                applyTanh(row + 2 * h, h)
                let o = b * h
                for j in 0..<h {
                    let z = row[h + j], nj = row[2 * h + j]
                    ht[o + j] = nj + z * (hPrev[o + j] - nj)
                }
            }
        }
    }

    override func backwardSteps(outputGradient dOut: UnsafePointer<Float>, lastStepOnly: Bool, batch: Int, steps: Int) {
        let h = hiddenSize, g3 = 3 * h, n = batch * h
        let dh = hiddenGradient
        dh.update(repeating: 0, count: n)
        packRecurrentWeightsForBackward()
        for t in stride(from: steps - 1, through: 0, by: -1) {
            if let above = outputGradient(dOut, lastStepOnly: lastStepOnly, t: t, steps: steps, batch: batch) {
                addInPlace(dh, above, n)
            }
            let gt = gates + t * batch * g3, pt = hiddenProjection + t * batch * g3
            let dxg = inputGateGradient + t * batch * g3, dhg = hiddenGateGradient + t * batch * g3
            let hPrev = slot(t, batch: batch)
            for b in 0..<batch {
                let row = gt + b * g3, prow = pt + b * g3, dx = dxg + b * g3, dhr = dhg + b * g3, o = b * h
                for j in 0..<h {
                    let r = row[j], z = row[h + j], nj = row[2 * h + j], hn = prow[2 * h + j]
                    let dhj = dh[o + j]
                    let dnPre = dhj * (1 - z) * (1 - nj * nj)
                    let dzPre = dhj * (hPrev[o + j] - nj) * z * (1 - z)
                    let drPre = dnPre * hn * r * (1 - r)
                    dx[j] = drPre; dhr[j] = drPre
                    dx[h + j] = dzPre; dhr[h + j] = dzPre
                    dx[2 * h + j] = dnPre; dhr[2 * h + j] = dnPre * r
                    dh[o + j] = dhj * z
                }
            }
            if t > 0 { recurrentGradient(dhg, into: dh, batch: batch, accumulate: true) }
        }
        accumulateWeightGradients(inputGates: inputGateGradient, hiddenGates: hiddenGateGradient, batch: batch, steps: steps)
    }
}
