/// GRU layer (nn.GRU), gates stacked [r|z|n]:
/// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h' = (1 − z)·n + z·h.
final class GRULayer: RecurrentLayer {
    /// Input projections + b_ih, then r, z, n activations, then (backward) gradients w.r.t. the
    /// input-side projections, in place: [steps*batch, 3H].
    private let gates: UnsafeMutablePointer<Float>
    /// Hidden projections W_hh h + b_hh (the n block is needed for backward), then gradients w.r.t.
    /// them (they differ from the input side's in the n block): [steps*batch, 3H].
    private let hiddenProjection: UnsafeMutablePointer<Float>

    init(store: ParameterStore, layer: Int, inputSize: Int, hiddenSize: Int, maxBatch: Int, maxSteps: Int,
         maxDenseRows: Int, computesInputGradient: Bool, workspace: Workspace) {
        let size = maxSteps * maxBatch * 3 * hiddenSize
        gates = workspace.floats(size)
        hiddenProjection = workspace.floats(size)
        super.init(store: store, layer: layer, inputSize: inputSize, hiddenSize: hiddenSize, gates: 3,
                   maxBatch: maxBatch, maxSteps: maxSteps, maxDenseRows: maxDenseRows,
                   computesInputGradient: computesInputGradient,
                   workspace: workspace)
    }

    override func forwardSteps(batch: Int, steps: Int) {
        let h = hiddenSize, g3 = 3 * h
        projectInput(bias: bIH, into: gates, batch: batch, steps: steps)
        packRecurrentWeightsForForward(batch: batch)
        let zeroStart = startsFromZeroState
        forEachRecurrenceBlock(batch: batch) { block in
            let first = block.rows.lowerBound, o = first * h
            for t in 0..<steps {
                let gt = gates + (t * batch + first) * g3, pt = hiddenProjection + (t * batch + first) * g3
                let hPrev = slot(t, batch: batch) + o, ht = slot(t + 1, batch: batch) + o
                block.broadcast(bHH, into: pt, width: h, gates: 3)
                if t > 0 || !zeroStart { recurrentProduct(hPrev, into: pt, block: block) }
                GRUCell.forward(gates: gt, projection: pt, hiddenPrev: hPrev, hidden: ht, batch: block.rows.count, width: h,
                                units: block.units)
                block.endStep()
            }
        }
    }

    override func backwardSteps(outputGradient dOut: UnsafePointer<Float>, lastStepOnly: Bool, batch: Int, steps: Int) {
        let h = hiddenSize, g3 = 3 * h, n = batch * h
        let dh = hiddenGradient
        dh.update(repeating: 0, count: n)
        packRecurrentWeightsForBackward()
        forEachRecurrenceBlock(batch: batch) { block in
            let first = block.rows.lowerBound, o = first * h
            for t in stride(from: steps - 1, through: 0, by: -1) {
                if let above = outputGradient(dOut, lastStepOnly: lastStepOnly, t: t, steps: steps, batch: batch) {
                    block.forEachSpan(width: h) { addInPlace(dh + o + $0, above + o + $0, $1) }
                }
                let gt = gates + (t * batch + first) * g3, pt = hiddenProjection + (t * batch + first) * g3
                GRUCell.backward(gates: gt, projection: pt, hiddenPrev: slot(t, batch: batch) + o, dh: dh + o,
                                 batch: block.rows.count, width: h, units: block.units)
                // The product below reads every unit's gate gradients of this step.
                block.endStep()
                if t > 0 { recurrentGradient(pt, into: dh + o, block: block, accumulate: true) }
            }
        }
        accumulateWeightGradients(inputGates: gates, hiddenGates: hiddenProjection, batch: batch, steps: steps)
    }
}
