/// The `rnn` module: 1–8 layers of one cell type, with dropout on the outputs of every layer but the
/// last (as nn.RNN/LSTM/GRU's `dropout` argument).
final class RecurrentStack {
    let layers: [RecurrentLayer]
    private let dropouts: [Dropout]

    /// Layer 0 takes dense input of at most `maxDenseInputRows` rows (larger batches come as tokens).
    init(config: ModelConfig, store: ParameterStore, maxBatch: Int, maxSteps: Int, maxDenseInputRows: Int,
         inputNeedsGradient: Bool, workspace: Workspace) {
        var layers: [RecurrentLayer] = []
        for k in 0..<config.layers {
            let inSize = k == 0 ? config.recurrentInputSize : config.hiddenSize
            let needsDX = k > 0 || inputNeedsGradient
            let denseRows = k == 0 ? maxDenseInputRows : maxBatch * maxSteps
            switch config.cell {
            case .rnn:
                layers.append(RNNLayer(store: store, layer: k, inputSize: inSize, hiddenSize: config.hiddenSize,
                                       maxBatch: maxBatch, maxSteps: maxSteps, maxDenseRows: denseRows, computesInputGradient: needsDX, workspace: workspace))
            case .lstm:
                layers.append(LSTMLayer(store: store, layer: k, inputSize: inSize, hiddenSize: config.hiddenSize,
                                        maxBatch: maxBatch, maxSteps: maxSteps, maxDenseRows: denseRows, computesInputGradient: needsDX, workspace: workspace))
            case .gru:
                layers.append(GRULayer(store: store, layer: k, inputSize: inSize, hiddenSize: config.hiddenSize,
                                       maxBatch: maxBatch, maxSteps: maxSteps, maxDenseRows: denseRows, computesInputGradient: needsDX, workspace: workspace))
            }
        }
        self.layers = layers
        dropouts = config.dropout > 0
            ? (1..<config.layers).map { _ in
                Dropout(probability: config.dropout, width: config.hiddenSize, maxRows: maxBatch * maxSteps, workspace: workspace)
            }
            : []
    }

    var top: RecurrentLayer { layers[layers.count - 1] }

    func resetState(batch: Int) { for l in layers { l.resetState(batch: batch) } }
    func carryState() { for l in layers { l.carryState() } }

    /// Runs the stack; the top layer's outputs are `top.outputs` ([steps*batch, H], time-major).
    func forward(input: LayerInput, batch: Int, steps: Int, training: Bool, rng: inout SeededGenerator) {
        var x = input
        for (k, layer) in layers.enumerated() {
            layer.forward(input: x, batch: batch, steps: steps)
            guard k + 1 < layers.count else { break }
            if dropouts.isEmpty {
                x = .dense(UnsafePointer(layer.outputs))
            } else {
                dropouts[k].forward(layer.outputs, rows: batch * steps, training: training, rng: &rng)
                x = .dense(UnsafePointer(dropouts[k].output))
            }
        }
    }

    /// Backpropagates from dL/d(top outputs); returns dL/d(input) of layer 0 if it was computed (not
    /// for token input, whose projection accumulates its own parameter gradients).
    @discardableResult
    func backward(topGradient: UnsafePointer<Float>, lastStepOnly: Bool) -> UnsafeMutablePointer<Float>? {
        var dy = topGradient
        var lastOnly = lastStepOnly
        for k in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[k]
            layer.backward(outputGradient: dy, lastStepOnly: lastOnly)
            guard k > 0, let dx = layer.lastInputGradient else { return layer.lastInputGradient }
            if !dropouts.isEmpty { dropouts[k - 1].backward(dx, into: dx, rows: layer.lastBatch * layer.lastSteps) }
            dy = UnsafePointer(dx)
            lastOnly = false
        }
        return nil
    }
}
