/// LSTM layer (nn.LSTM), gates stacked [i|f|g|o]:
/// c_t = σ(f)·c_{t-1} + σ(i)·tanh(g), h_t = σ(o)·tanh(c_t).
final class LSTMLayer: RecurrentLayer {
    /// Gate pre-activations, then activations (forward), then gradients w.r.t. the pre-activations
    /// (backward), all in place: [steps*batch, 4H].
    private let gates: UnsafeMutablePointer<Float>
    /// Cell states, (steps + 1) slots of [batch, H]; slot 0 is the initial cell state.
    private let cells: UnsafeMutablePointer<Float>
    private let cellGradient: UnsafeMutablePointer<Float>
    private let biasSum: UnsafeMutablePointer<Float>

    init(store: ParameterStore, layer: Int, inputSize: Int, hiddenSize: Int, maxBatch: Int, maxSteps: Int,
         maxDenseRows: Int, computesInputGradient: Bool, workspace: Workspace) {
        let rows = maxSteps * maxBatch
        gates = workspace.floats(rows * 4 * hiddenSize)
        cells = workspace.floats((maxSteps + 1) * maxBatch * hiddenSize)
        cellGradient = workspace.floats(maxBatch * hiddenSize)
        biasSum = workspace.floats(4 * hiddenSize)
        super.init(store: store, layer: layer, inputSize: inputSize, hiddenSize: hiddenSize, gates: 4,
                   maxBatch: maxBatch, maxSteps: maxSteps, maxDenseRows: maxDenseRows,
                   computesInputGradient: computesInputGradient,
                   workspace: workspace)
    }

    override func resetState(batch: Int) {
        super.resetState(batch: batch)
        cells.update(repeating: 0, count: batch * hiddenSize)
    }

    override func carryState() {
        super.carryState()
        let n = lastBatch * hiddenSize
        cells.update(from: cells + lastSteps * n, count: n)
    }

    override func forwardSteps(batch: Int, steps: Int) {
        let h = hiddenSize, g4 = 4 * h, n = batch * h
        sum(bIH, bHH, into: biasSum, g4)
        projectInput(bias: biasSum, into: gates, batch: batch, steps: steps)
        packRecurrentWeightsForForward(batch: batch)
        let zeroStart = startsFromZeroState
        forEachRecurrenceBlock(batch: batch) { block in
            let first = block.rows.lowerBound, o = first * h
            for t in 0..<steps {
                let gt = gates + (t * batch + first) * g4
                if t > 0 || !zeroStart { recurrentProduct(slot(t, batch: batch) + o, into: gt, block: block) }
                LSTMCell.forward(gates: gt, cellPrev: cells + t * n + o, cell: cells + (t + 1) * n + o,
                                 hidden: slot(t + 1, batch: batch) + o, batch: block.rows.count, width: h, units: block.units)
                block.endStep()
            }
        }
    }

    override func backwardSteps(outputGradient dOut: UnsafePointer<Float>, lastStepOnly: Bool, batch: Int, steps: Int) {
        let h = hiddenSize, g4 = 4 * h, n = batch * h
        let dh = hiddenGradient, dc = cellGradient
        dh.update(repeating: 0, count: n)
        dc.update(repeating: 0, count: n)
        packRecurrentWeightsForBackward()
        forEachRecurrenceBlock(batch: batch) { block in
            let first = block.rows.lowerBound, o = first * h
            for t in stride(from: steps - 1, through: 0, by: -1) {
                if let above = outputGradient(dOut, lastStepOnly: lastStepOnly, t: t, steps: steps, batch: batch) {
                    block.forEachSpan(width: h) { addInPlace(dh + o + $0, above + o + $0, $1) }
                }
                let gt = gates + (t * batch + first) * g4
                LSTMCell.backward(gates: gt, cellPrev: cells + t * n + o, cell: cells + (t + 1) * n + o, dh: dh + o, dc: dc + o,
                                  batch: block.rows.count, width: h, units: block.units)
                // The product below reads every unit's gate gradients of this step.
                block.endStep()
                if t > 0 { recurrentGradient(gt, into: dh + o, block: block, accumulate: false) }
            }
        }
        accumulateWeightGradients(inputGates: gates, hiddenGates: gates, batch: batch, steps: steps)
    }
}
