/// Elman RNN layer (nn.RNN, tanh): h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh).
final class RNNLayer: RecurrentLayer {
    /// dL/d(pre-activation), [steps*batch, H].
    private let preGradient: UnsafeMutablePointer<Float>
    private let biasSum: UnsafeMutablePointer<Float>

    init(store: ParameterStore, layer: Int, inputSize: Int, hiddenSize: Int, maxBatch: Int, maxSteps: Int,
         maxDenseRows: Int, computesInputGradient: Bool, workspace: Workspace) {
        preGradient = workspace.floats(maxSteps * maxBatch * hiddenSize)
        biasSum = workspace.floats(hiddenSize)
        super.init(store: store, layer: layer, inputSize: inputSize, hiddenSize: hiddenSize, gates: 1,
                   maxBatch: maxBatch, maxSteps: maxSteps, maxDenseRows: maxDenseRows,
                   computesInputGradient: computesInputGradient,
                   workspace: workspace)
    }

    override func forwardSteps(batch: Int, steps: Int) {
        let h = hiddenSize
        sum(bIH, bHH, into: biasSum, h)
        // All input projections at once, straight into the output slots 1...L.
        let out = slot(1, batch: batch)
        projectInput(bias: biasSum, into: out, batch: batch, steps: steps)
        packRecurrentWeightsForForward(batch: batch)
        let zeroStart = startsFromZeroState
        forEachRecurrenceBlock(batch: batch) { block in
            let o = block.rows.lowerBound * h
            for t in 0..<steps {
                let ht = slot(t + 1, batch: batch) + o
                if t > 0 || !zeroStart { recurrentProduct(slot(t, batch: batch) + o, into: ht, block: block) }
                block.forEachSpan(width: h) { applyTanh(ht + $0, $1) }
                block.endStep()
            }
        }
    }

    override func backwardSteps(outputGradient dOut: UnsafePointer<Float>, lastStepOnly: Bool, batch: Int, steps: Int) {
        let h = hiddenSize, n = batch * h
        let dhNext = hiddenGradient
        dhNext.update(repeating: 0, count: n)
        packRecurrentWeightsForBackward()
        forEachRecurrenceBlock(batch: batch) { block in
            let o = block.rows.lowerBound * h
            for t in stride(from: steps - 1, through: 0, by: -1) {
                let ht = slot(t + 1, batch: batch) + o
                let dpre = preGradient + t * n + o, dh = dhNext + o
                let above = outputGradient(dOut, lastStepOnly: lastStepOnly, t: t, steps: steps, batch: batch)
                block.forEachSpan(width: h) { offset, count in
                    if let above { addInPlace(dh + offset, above + o + offset, count) }
                    for i in offset..<(offset + count) { dpre[i] = dh[i] * (1 - ht[i] * ht[i]) }
                }
                // The product below reads every unit's pre-activation gradients of this step.
                block.endStep()
                if t > 0 { recurrentGradient(dpre, into: dh, block: block, accumulate: false) }
            }
        }
        accumulateWeightGradients(inputGates: preGradient, hiddenGates: preGradient, batch: batch, steps: steps)
    }
}
