/// nn.ReLU or nn.Tanh on rows.
final class ActivationLayer: HeadLayer {
    let kind: ModelConfig.Activation
    let width: Int
    let output: UnsafeMutablePointer<Float>
    let inputGradient: UnsafeMutablePointer<Float>

    var outputWidth: Int { width }

    init(kind: ModelConfig.Activation, width: Int, maxRows: Int, workspace: Workspace) {
        self.kind = kind
        self.width = width
        output = workspace.floats(maxRows * width)
        inputGradient = workspace.floats(maxRows * width)
    }

    func forward(_ x: UnsafePointer<Float>, rows: Int, training: Bool, rng: inout SeededGenerator) {
        let n = rows * width
        switch kind {
        case .relu: for i in 0..<n { output[i] = x[i] > 0 ? x[i] : 0 }
        case .tanh: applyTanh(x, into: output, n)
        }
    }

    func backward(_ dy: UnsafePointer<Float>, rows: Int) {
        let n = rows * width
        switch kind {
        case .relu: for i in 0..<n { inputGradient[i] = output[i] > 0 ? dy[i] : 0 }
        case .tanh: for i in 0..<n { inputGradient[i] = dy[i] * (1 - output[i] * output[i]) }
        }
    }
}

/// nn.Dropout as a head module.
final class DropoutLayer: HeadLayer {
    private let dropout: Dropout
    let inputGradient: UnsafeMutablePointer<Float>
    var output: UnsafeMutablePointer<Float> { dropout.output }
    var outputWidth: Int { dropout.width }

    init(probability: Double, width: Int, maxRows: Int, workspace: Workspace) {
        dropout = Dropout(probability: probability, width: width, maxRows: maxRows, workspace: workspace)
        inputGradient = workspace.floats(maxRows * width)
    }

    func forward(_ x: UnsafePointer<Float>, rows: Int, training: Bool, rng: inout SeededGenerator) {
        dropout.forward(x, rows: rows, training: training, rng: &rng)
    }

    func backward(_ dy: UnsafePointer<Float>, rows: Int) {
        dropout.backward(dy, into: inputGradient, rows: rows)
    }
}
