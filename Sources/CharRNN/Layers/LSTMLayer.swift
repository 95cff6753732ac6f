/// LSTM layer (nn.LSTM), gates stacked [i|f|g|o]:
/// c_t = σ(f)·c_{t-1} + σ(i)·tanh(g), h_t = σ(o)·tanh(c_t).
final class LSTMLayer: RecurrentLayer {
    /// Gate pre-activations, then activations in place: [steps*batch, 4H].
    private let gates: UnsafeMutablePointer<Float>
    /// Cell states, (steps + 1) slots of [batch, H]; slot 0 is the initial cell state.
    private let cells: UnsafeMutablePointer<Float>
    /// tanh(c_t), [steps*batch, H].
    private let cellTanh: UnsafeMutablePointer<Float>
    private let gateGradient: UnsafeMutablePointer<Float>
    private let cellGradient: UnsafeMutablePointer<Float>
    private let biasSum: UnsafeMutablePointer<Float>

    init(store: ParameterStore, layer: Int, inputSize: Int, hiddenSize: Int, maxBatch: Int, maxSteps: Int,
         maxDenseRows: Int, computesInputGradient: Bool, workspace: Workspace) {
        let rows = maxSteps * maxBatch
        gates = workspace.floats(rows * 4 * hiddenSize)
        cells = workspace.floats((maxSteps + 1) * maxBatch * hiddenSize)
        cellTanh = workspace.floats(rows * hiddenSize)
        gateGradient = workspace.floats(rows * 4 * hiddenSize)
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
        packRecurrentWeightsForForward()
        let zeroStart = startsFromZeroState
        for t in 0..<steps {
            let gt = gates + t * batch * g4
            if t > 0 || !zeroStart { recurrentProduct(slot(t, batch: batch), into: gt, batch: batch) }
            for b in 0..<batch {
                let row = gt + b * g4
                applySigmoid(row, 2 * h)          // i, f
                applyTanh(row + 2 * h, h)         // g
                applySigmoid(row + 3 * h, h)      // o
            }
            let cPrev = cells + t * n, c = cells + (t + 1) * n
            let tc = cellTanh + t * n, ht = slot(t + 1, batch: batch)
            for b in 0..<batch {
                let row = gt + b * g4, o = b * h
                for j in 0..<h {
                    c[o + j] = row[h + j] * cPrev[o + j] + row[j] * row[2 * h + j]
                }
            }
            applyTanh(c, into: tc, n)
            for b in 0..<batch {
                let row = gt + b * g4 + 3 * h, o = b * h
                for j in 0..<h { ht[o + j] = row[j] * tc[o + j] }
            }
        }
    }

    override func backwardSteps(outputGradient dOut: UnsafePointer<Float>, lastStepOnly: Bool, batch: Int, steps: Int) {
        let h = hiddenSize, g4 = 4 * h, n = batch * h
        let dh = hiddenGradient, dc = cellGradient
        dh.update(repeating: 0, count: n)
        dc.update(repeating: 0, count: n)
        packRecurrentWeightsForBackward()
        for t in stride(from: steps - 1, through: 0, by: -1) {
            if let above = outputGradient(dOut, lastStepOnly: lastStepOnly, t: t, steps: steps, batch: batch) {
                addInPlace(dh, above, n)
            }
            let gt = gates + t * batch * g4, dgt = gateGradient + t * batch * g4
            let cPrev = cells + t * n, tc = cellTanh + t * n
            for b in 0..<batch {
                let row = gt + b * g4, drow = dgt + b * g4, o = b * h
                for j in 0..<h {
                    let i = row[j], f = row[h + j], g = row[2 * h + j], og = row[3 * h + j]
                    let tcj = tc[o + j], dhj = dh[o + j]
                    let dcj = dc[o + j] + dhj * og * (1 - tcj * tcj)
                    drow[j] = dcj * g * i * (1 - i)
                    drow[h + j] = dcj * cPrev[o + j] * f * (1 - f)
                    drow[2 * h + j] = dcj * i * (1 - g * g)
                    drow[3 * h + j] = dhj * tcj * og * (1 - og)
                    dc[o + j] = dcj * f
                }
            }
            if t > 0 { recurrentGradient(dgt, into: dh, batch: batch, accumulate: false) }
        }
        accumulateWeightGradients(inputGates: gateGradient, hiddenGates: gateGradient, batch: batch, steps: steps)
    }
}
