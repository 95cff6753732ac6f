/// What RNN, LSTM and GRU layers share: PyTorch's four tensors per layer (`weight_ih_l{k}` [G*H, In],
/// `weight_hh_l{k}` [G*H, H], `bias_ih_l{k}`, `bias_hh_l{k}`), time-major activations, and the hidden
/// state sequence `h` stored as L+1 slots of [B, H] where slot 0 is the initial state. Subclasses
/// implement one cell's forward and backward through time.
class RecurrentLayer {
    let inputSize: Int
    let hiddenSize: Int
    let gateWidth: Int
    let maxBatch: Int
    let maxSteps: Int
    let computesInputGradient: Bool
    /// Most rows a dense input may have (layer 0 reads tokens for larger batches, so its input
    /// gradient buffer only needs this many rows).
    let maxDenseRows: Int

    let wIH: UnsafeMutablePointer<Float>, wHH: UnsafeMutablePointer<Float>
    let bIH: UnsafeMutablePointer<Float>, bHH: UnsafeMutablePointer<Float>
    let gWIH: UnsafeMutablePointer<Float>, gWHH: UnsafeMutablePointer<Float>
    let gBIH: UnsafeMutablePointer<Float>, gBHH: UnsafeMutablePointer<Float>

    /// h: (maxSteps + 1) slots of [batch, H]; slot t+1 is the output of step t.
    let states: UnsafeMutablePointer<Float>
    /// dL/dinput for the layer below, [steps * batch, In] (nil if nobody needs it).
    let inputGradient: UnsafeMutablePointer<Float>?
    /// Carried dL/dh_{t} from step t+1 during backward, [batch, H].
    let hiddenGradient: UnsafeMutablePointer<Float>
    /// W_hh packed once per forward (as W_hhᵀ for h·W_hhᵀ) and once per backward (as W_hh for
    /// dG·W_hh), instead of once per time step.
    private let packedHH: UnsafeMutablePointer<Float>
    /// Sequences whose initial state slot holds zeros (after `resetState`, until `carryState`): the
    /// recurrent product of step 0 and its weight-gradient rows are then skipped.
    private var zeroInitialStateBatch = 0
    /// Whether the last forward packed W_hh (batch > 1); a block of one sequence on a thread must
    /// still use the packed product to compute the same bits as the whole batch.
    private var packedForForward = false

    /// The input of the last forward, kept for the weight gradient.
    var lastInput: LayerInput?
    var lastBatch = 0
    var lastSteps = 0

    init(store: ParameterStore, layer k: Int, inputSize: Int, hiddenSize: Int, gates: Int,
         maxBatch: Int, maxSteps: Int, maxDenseRows: Int, computesInputGradient: Bool, workspace: Workspace) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.gateWidth = gates * hiddenSize
        self.maxBatch = maxBatch
        self.maxSteps = maxSteps
        self.computesInputGradient = computesInputGradient
        self.maxDenseRows = min(maxDenseRows, maxSteps * maxBatch)
        wIH = store.valueStart("rnn.weight_ih_l\(k)")
        wHH = store.valueStart("rnn.weight_hh_l\(k)")
        bIH = store.valueStart("rnn.bias_ih_l\(k)")
        bHH = store.valueStart("rnn.bias_hh_l\(k)")
        gWIH = store.gradientStart("rnn.weight_ih_l\(k)")
        gWHH = store.gradientStart("rnn.weight_hh_l\(k)")
        gBIH = store.gradientStart("rnn.bias_ih_l\(k)")
        gBHH = store.gradientStart("rnn.bias_hh_l\(k)")
        states = workspace.floats((maxSteps + 1) * maxBatch * hiddenSize)
        inputGradient = computesInputGradient ? workspace.floats(self.maxDenseRows * inputSize) : nil
        hiddenGradient = workspace.floats(maxBatch * hiddenSize)
        packedHH = workspace.floats(max(GEMM.packedBCount(k: hiddenSize, n: gateWidth),
                                        GEMM.packedBCount(k: gateWidth, n: hiddenSize)))
    }

    /// Outputs h_0 ... h_{L-1} of the last forward, [steps * batch, H] time-major.
    var outputs: UnsafeMutablePointer<Float> { states + lastBatch * hiddenSize }

    /// Pointer to state slot `t` (slot 0 = initial state) for the current batch size.
    @inline(__always) func slot(_ t: Int, batch: Int) -> UnsafeMutablePointer<Float> {
        states + t * batch * hiddenSize
    }

    /// Zero initial state for `batch` sequences.
    func resetState(batch: Int) {
        states.update(repeating: 0, count: batch * hiddenSize)
        zeroInitialStateBatch = batch
    }

    /// Whether slot 0 is all zeros for the last forward's batch.
    var startsFromZeroState: Bool { lastBatch <= zeroInitialStateBatch }

    /// Makes the final state of the last forward the initial state of the next (truncated BPTT:
    /// no gradient flows back across the boundary).
    func carryState() {
        slot(0, batch: lastBatch).update(from: slot(lastSteps, batch: lastBatch), count: lastBatch * hiddenSize)
        zeroInitialStateBatch = 0
    }

    /// Packs W_hh for `recurrentProduct`; call at the start of each forward. Batch 1 (text
    /// generation, one character per forward) reads W_hh in place instead: packing it would cost
    /// more than the product.
    func packRecurrentWeightsForForward(batch: Int) {
        packedForForward = batch > 1
        guard batch > 1 else { return }
        GEMM.packB(transB: true, k: hiddenSize, n: gateWidth, b: wHH, ldb: hiddenSize, into: packedHH)
    }

    /// out[rows, G*H] += h·W_hhᵀ for the block's rows and unit columns (after
    /// `packRecurrentWeightsForForward`); `h` and `out` point at the block's first row.
    @inline(__always) func recurrentProduct(_ h: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, block: RecurrenceBlock) {
        let rows = block.rows.count
        if !packedForForward {
            GEMM.run(transA: false, transB: true, m: 1, n: gateWidth, k: hiddenSize, alpha: 1, a: h, lda: hiddenSize,
                     b: wHH, ldb: hiddenSize, beta: 1, c: out, ldc: gateWidth)
        } else if block.allUnits {
            GEMM.run(transA: false, m: rows, n: gateWidth, k: hiddenSize, alpha: 1, a: h, lda: hiddenSize,
                     packedB: packedHH, beta: 1, c: out, ldc: gateWidth)
        } else if !block.units.isEmpty {
            GEMM.runGateColumns(m: rows, k: hiddenSize, a: h, lda: hiddenSize, packedB: packedHH, c: out, ldc: gateWidth,
                                units: block.units, width: hiddenSize, gates: gateWidth / hiddenSize)
        }
    }

    /// Packs W_hh for `recurrentGradient`; call at the start of each backward.
    func packRecurrentWeightsForBackward() {
        GEMM.packB(transB: false, k: gateWidth, n: hiddenSize, b: wHH, ldb: hiddenSize, into: packedHH)
    }

    /// dh[rows, units] (+)= dG·W_hh for the block (after `packRecurrentWeightsForBackward`); `dGates`
    /// and `dh` point at the block's first row. A block split by units reads every gate column of dG.
    @inline(__always) func recurrentGradient(_ dGates: UnsafePointer<Float>, into dh: UnsafeMutablePointer<Float>,
                                             block: RecurrenceBlock, accumulate: Bool) {
        let rows = block.rows.count, beta: Float = accumulate ? 1 : 0
        if block.allUnits {
            GEMM.run(transA: false, m: rows, n: hiddenSize, k: gateWidth, alpha: 1, a: dGates, lda: gateWidth,
                     packedB: packedHH, beta: beta, c: dh, ldc: hiddenSize)
        } else if !block.units.isEmpty {
            GEMM.blocked(transA: false, m: rows, n: hiddenSize, k: gateWidth, alpha: 1, a: dGates, lda: gateWidth,
                         b: .prepacked(packedHH), beta: beta, c: dh, ldc: hiddenSize, columns: block.units)
        }
    }

    /// Runs `steps` steps for `batch` sequences from the state in slot 0. A dense `input` is
    /// [steps*batch, In].
    func forward(input: LayerInput, batch: Int, steps: Int) {
        precondition(batch <= maxBatch && steps <= maxSteps, "batch \(batch)/steps \(steps) exceed the workspace")
        if case .dense = input {
            precondition(batch * steps <= maxDenseRows, "\(batch * steps) dense input rows exceed the workspace's \(maxDenseRows)")
        }
        lastInput = input
        lastBatch = batch
        lastSteps = steps
        forwardSteps(batch: batch, steps: steps)
    }

    /// Writes the input projections `x_t·W_ihᵀ + bias` of every step into `out` ([steps*batch, G*H]).
    func projectInput(bias: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, batch: Int, steps: Int) {
        switch lastInput {
        case let .dense(x)?:
            broadcastRows(bias, into: out, rows: batch * steps, width: gateWidth)
            matmulTransB(x, wIH, out, m: batch * steps, n: gateWidth, k: inputSize, accumulate: true)
        case let .tokens(projection)?:
            projection.project(bias: bias, into: out)
        case nil:
            // `forward` sets the input before it runs the steps, so no forward reaches here without one.
            break
        }
    }

    /// dL/d(input) written by the last backward, if the input was dense and someone needs it.
    var lastInputGradient: UnsafeMutablePointer<Float>? {
        if case .dense = lastInput { return inputGradient }
        return nil
    }

    /// Backpropagates through time. `outputGradient` is dL/dh_t for every step ([steps*batch, H]) or,
    /// with `lastStepOnly`, for the last step alone ([batch, H]). Accumulates parameter gradients and
    /// writes `inputGradient`.
    func backward(outputGradient: UnsafePointer<Float>, lastStepOnly: Bool) {
        backwardSteps(outputGradient: outputGradient, lastStepOnly: lastStepOnly, batch: lastBatch, steps: lastSteps)
    }

    func forwardSteps(batch: Int, steps: Int) { fatalError("abstract") }
    func backwardSteps(outputGradient: UnsafePointer<Float>, lastStepOnly: Bool, batch: Int, steps: Int) { fatalError("abstract") }

    /// dL/dh_t at step t from above (nil where none: every step but the last with `lastStepOnly`).
    @inline(__always) func outputGradient(_ base: UnsafePointer<Float>, lastStepOnly: Bool, t: Int, steps: Int, batch: Int) -> UnsafePointer<Float>? {
        if lastStepOnly { return t == steps - 1 ? base : nil }
        return base + t * batch * hiddenSize
    }

    /// Shared tail of every cell's backward: weight/bias gradients from the gate gradients and the
    /// input gradient. `inputGates` multiply the input, `hiddenGates` multiply h_{t-1}.
    func accumulateWeightGradients(inputGates: UnsafePointer<Float>, hiddenGates: UnsafePointer<Float>, batch: Int, steps: Int) {
        let rows = batch * steps
        // Step 0's rows multiply h_0; skip them when h_0 = 0.
        let skip = startsFromZeroState ? batch : 0
        if rows > skip {
            matmulTransAAccumulate(hiddenGates + skip * gateWidth, states + skip * hiddenSize, gWHH,
                                   m: gateWidth, n: hiddenSize, k: rows - skip)
        }
        switch lastInput {
        case let .dense(x)?:
            accumulateColumnSums(hiddenGates, rows: rows, width: gateWidth, into: gBHH)
            matmulTransAAccumulate(inputGates, x, gWIH, m: gateWidth, n: inputSize, k: rows)
            accumulateColumnSums(inputGates, rows: rows, width: gateWidth, into: gBIH)
            if let dx = inputGradient {
                matmul(inputGates, wIH, dx, m: rows, n: inputSize, k: gateWidth, accumulate: false)
            }
        case let .tokens(projection)?:
            // One pass over the rows for the scatter and the hidden bias (for RNN and LSTM the same
            // gradients, read from memory once).
            projection.backward(gateGradient: inputGates, columnSums: (hiddenGates, gBHH))
        case nil:
            // No forward yet: no input, and no rows (lastBatch is 0) to take gradients from.
            accumulateColumnSums(hiddenGates, rows: rows, width: gateWidth, into: gBHH)
        }
    }
}

/// What a recurrent layer reads: dense rows [steps*batch, In] (the layer below, or the gathered
/// embedding/one-hot rows of a small batch) or tokens whose projections are looked up.
enum LayerInput {
    case dense(UnsafePointer<Float>)
    case tokens(TokenInputProjection)
}
