/// Layer 0's input projection when the input is a token (Embedding or one-hot). `x_t·W_ihᵀ + b` then
/// takes only V distinct values, so each forward builds the table T = E·W_ihᵀ + b ([V, G·H]; for
/// one-hot T = W_ihᵀ + b) and gathers one row per token instead of a [B·L, E]×[E, G·H] product.
/// Backward scatter-adds the gate gradients per symbol into dT ([V, G·H]) and derives
/// dW_ih = dTᵀ·E, dE = dT·W_ih and db = Σ dT from V rows instead of B·L: the products shrink by B·L/V.
final class TokenInputProjection {
    /// Sequences per group of the backward's scatter above 32 sequences. Fixed, never the thread
    /// count, so every thread count adds the same rows in the same order; a thread takes whole
    /// groups, whose rows the recurrence split by sequences wrote on that thread, and reads them
    /// from its own cache instead of half of every row from the other core's.
    static let sequencesPerGroup = 32
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
    private var batch = 0
    /// Groups 1… of the grouped scatter, each [V + 1, G·H]: its dT rows, then its column sums.
    /// Group 0 adds into dT and the column sums themselves.
    private let groupPartials: UnsafeMutablePointer<Float>

    init(config: ModelConfig, store: ParameterStore, maxBatch: Int, maxRows: Int, workspace: Workspace) {
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
        let groups = Self.groups(batch: maxBatch)
        groupPartials = workspace.floats(groups > 1 ? (groups - 1) * (vocabSize + 1) * gateWidth : 0)
    }

    static func groups(batch: Int) -> Int {
        batch > sequencesPerGroup ? (batch + sequencesPerGroup - 1) / sequencesPerGroup : 1
    }

    /// Takes the tokens of a forward ([batch, steps], batch-major) in time-major order.
    func setTokens(_ batchMajor: UnsafePointer<Int32>, batch: Int, steps: Int) {
        rows = batch * steps
        self.batch = batch
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
    /// with `columnSums` also adds the column sums of `of` (the gradients that multiply h_{t-1}:
    /// the same ones for RNN and LSTM, GRU's own) into `into`, in the same pass over the rows.
    func backward(gateGradient: UnsafePointer<Float>,
                  columnSums: (of: UnsafePointer<Float>, into: UnsafeMutablePointer<Float>)? = nil) {
        if Self.groups(batch: batch) > 1 {
            groupedScatter(gateGradient, columnSums: columnSums)
        } else {
            columnScatter(gateGradient, columnSums: columnSums)
        }
        let gw = gateWidth
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

    /// Up to 32 sequences: split by gate columns; each column adds its rows in order.
    private func columnScatter(_ gateGradient: UnsafePointer<Float>,
                               columnSums: (of: UnsafePointer<Float>, into: UnsafeMutablePointer<Float>)?) {
        let gw = gateWidth, rows = rows, vocabSize = vocabSize, tokens = tokens, tableGradient = tableGradient
        ThreadPool.forEachColumnBlock(of: gw, rows: rows) { columns in
            let first = columns.lowerBound, count = columns.count
            for v in 0..<vocabSize { (tableGradient + v * gw + first).update(repeating: 0, count: count) }
            for r in 0..<rows {
                addInPlace(tableGradient + Int(tokens[r]) * gw + first, gateGradient + r * gw + first, count)
                if let columnSums { addInPlace(columnSums.into + first, columnSums.of + r * gw + first, count) }
            }
        }
    }

    /// Above 32 sequences: each group of `sequencesPerGroup` sequences adds its rows (in row order)
    /// into its own partial, then the partials are added in group order.
    private func groupedScatter(_ gateGradient: UnsafePointer<Float>,
                                columnSums: (of: UnsafePointer<Float>, into: UnsafeMutablePointer<Float>)?) {
        let gw = gateWidth, batch = batch, steps = rows / max(batch, 1), vocabSize = vocabSize
        let tokens = tokens, tableGradient = tableGradient, partials = groupPartials
        let groups = Self.groups(batch: batch), stride = (vocabSize + 1) * gw
        ThreadPool.forEachWholeBlock(of: groups) { block in
            for group in block {
                let table = group == 0 ? tableGradient : partials + (group - 1) * stride
                let sums = group == 0 ? columnSums?.into : partials + (group - 1) * stride + vocabSize * gw
                table.update(repeating: 0, count: vocabSize * gw)
                if group > 0 { sums?.update(repeating: 0, count: gw) }
                let sequences = group * Self.sequencesPerGroup..<min((group + 1) * Self.sequencesPerGroup, batch)
                for t in 0..<steps {
                    for b in sequences {
                        let r = t * batch + b
                        addInPlace(table + Int(tokens[r]) * gw, gateGradient + r * gw, gw)
                        if let columnSums, let sums { addInPlace(sums, columnSums.of + r * gw, gw) }
                    }
                }
            }
        }
        ThreadPool.forEachColumnBlock(of: gw, rows: groups * (vocabSize + 1)) { columns in
            let first = columns.lowerBound, count = columns.count
            for group in 1..<groups {
                let partial = partials + (group - 1) * stride
                for v in 0..<vocabSize { addInPlace(tableGradient + v * gw + first, partial + v * gw + first, count) }
                if let columnSums { addInPlace(columnSums.into + first, partial + vocabSize * gw + first, count) }
            }
        }
    }
}
