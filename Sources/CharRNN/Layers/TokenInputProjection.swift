/// Layer 0's input projection when the input is a token (Embedding or one-hot). `x_t·W_ihᵀ + b` then
/// takes only V distinct values, so each forward builds the table T = E·W_ihᵀ + b ([V, G·H]; for
/// one-hot T = W_ihᵀ + b) and gathers one row per token instead of a [B·L, E]×[E, G·H] product.
/// Backward scatter-adds the gate gradients per symbol into dT ([V, G·H]) and derives
/// dW_ih = dTᵀ·E, dE = dT·W_ih and db = Σ dT from V rows instead of B·L: the products shrink by B·L/V.
final class TokenInputProjection {
    let vocabSize: Int
    /// E for an embedding, V for one-hot.
    let inputSize: Int
    let gateWidth: Int
    private let embedding: UnsafePointer<Float>?
    private let embeddingGradient: UnsafeMutablePointer<Float>?
    private let wIH: UnsafePointer<Float>, gWIH: UnsafeMutablePointer<Float>, gBIH: UnsafeMutablePointer<Float>
    private let table: UnsafeMutablePointer<Float>
    private let tableGradient: UnsafeMutablePointer<Float>
    /// Tokens of the current forward, time-major [steps * batch].
    private let tokens: UnsafeMutablePointer<Int32>
    private var rows = 0

    init(config: ModelConfig, store: ParameterStore, maxRows: Int, workspace: Workspace) {
        vocabSize = config.vocabSize
        inputSize = config.recurrentInputSize
        gateWidth = config.gateCount * config.hiddenSize
        if config.input == .embedding {
            embedding = UnsafePointer(store.valueStart("embedding.weight"))
            embeddingGradient = store.gradientStart("embedding.weight")
        } else {
            embedding = nil
            embeddingGradient = nil
        }
        wIH = UnsafePointer(store.valueStart("rnn.weight_ih_l0"))
        gWIH = store.gradientStart("rnn.weight_ih_l0")
        gBIH = store.gradientStart("rnn.bias_ih_l0")
        table = workspace.floats(vocabSize * gateWidth)
        tableGradient = workspace.floats(vocabSize * gateWidth)
        tokens = workspace.ints(maxRows)
    }

    /// Takes the tokens of a forward ([batch, steps], batch-major) in time-major order.
    func setTokens(_ batchMajor: UnsafePointer<Int32>, batch: Int, steps: Int) {
        rows = batch * steps
        for b in 0..<batch {
            for t in 0..<steps {
                let token = batchMajor[b * steps + t]
                precondition(token >= 0 && Int(token) < vocabSize, "token \(token) outside the vocabulary")
                tokens[t * batch + b] = token
            }
        }
    }

    /// Writes `x_t·W_ihᵀ + bias` for every token of the forward into `out` ([rows, G·H]).
    func project(bias: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let gw = gateWidth
        if let embedding {
            broadcastRows(bias, into: table, rows: vocabSize, width: gw)
            matmulTransB(embedding, wIH, table, m: vocabSize, n: gw, k: inputSize, accumulate: true)
        } else {
            for v in 0..<vocabSize {
                let row = table + v * gw
                for g in 0..<gw { row[g] = wIH[g * vocabSize + v] + bias[g] }
            }
        }
        ThreadPool.forEachElementBlock(of: rows, width: gw) { block in
            for r in block { (out + r * gw).update(from: table + Int(tokens[r]) * gw, count: gw) }
        }
    }

    /// Accumulates dW_ih, db_ih and dE from the gradients w.r.t. the projections ([rows, G·H]), and
    /// with `columnSums` also adds their column sums there (another bias's gradient, when the same
    /// gradients multiply h_{t-1}) in the same pass, in the same row order as `accumulateColumnSums`.
    func backward(gateGradient: UnsafePointer<Float>, columnSumsInto columnSums: UnsafeMutablePointer<Float>? = nil) {
        let gw = gateWidth
        // Split by gate columns: each column still adds its rows in order, whatever thread runs it.
        let rows = rows
        ThreadPool.forEachColumnBlock(of: gw, rows: rows) { columns in
            let first = columns.lowerBound, count = columns.count
            for v in 0..<vocabSize { (tableGradient + v * gw + first).update(repeating: 0, count: count) }
            for r in 0..<rows {
                let row = gateGradient + r * gw + first
                addInPlace(tableGradient + Int(tokens[r]) * gw + first, row, count)
                if let columnSums { addInPlace(columnSums + first, row, count) }
            }
        }
        accumulateColumnSums(tableGradient, rows: vocabSize, width: gw, into: gBIH)
        if let embedding, let embeddingGradient {
            matmulTransAAccumulate(tableGradient, embedding, gWIH, m: gw, n: inputSize, k: vocabSize)
            matmul(tableGradient, wIH, embeddingGradient, m: vocabSize, n: inputSize, k: gw, accumulate: true)
        } else {
            for g in 0..<gw {
                let row = gWIH + g * vocabSize
                for v in 0..<vocabSize { row[v] += tableGradient[v * gw + g] }
            }
        }
    }
}
