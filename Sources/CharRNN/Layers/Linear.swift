/// nn.Linear: y = x Wᵀ + b with W [out, in].
final class Linear: HeadLayer {
    let inputs: Int, outputs: Int
    let output: UnsafeMutablePointer<Float>
    let inputGradient: UnsafeMutablePointer<Float>
    private let w: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>
    private let gw: UnsafeMutablePointer<Float>, gb: UnsafeMutablePointer<Float>
    private var lastInput: UnsafePointer<Float>?

    var outputWidth: Int { outputs }

    init(store: ParameterStore, name: String, inputs: Int, outputs: Int, maxRows: Int, workspace: Workspace) {
        self.inputs = inputs
        self.outputs = outputs
        w = store.valueStart("\(name).weight")
        b = store.valueStart("\(name).bias")
        gw = store.gradientStart("\(name).weight")
        gb = store.gradientStart("\(name).bias")
        output = workspace.floats(maxRows * outputs)
        inputGradient = workspace.floats(maxRows * inputs)
    }

    func forward(_ x: UnsafePointer<Float>, rows: Int, training: Bool, rng: inout SeededGenerator) {
        lastInput = x
        broadcastRows(b, into: output, rows: rows, width: outputs)
        matmulTransB(x, w, output, m: rows, n: outputs, k: inputs, accumulate: true)
    }

    func backward(_ dy: UnsafePointer<Float>, rows: Int) {
        // Only a forward gives backward something to differentiate; before the first there is none.
        guard let lastInput else { return }
        matmulTransAAccumulate(dy, lastInput, gw, m: outputs, n: inputs, k: rows)
        accumulateColumnSums(dy, rows: rows, width: outputs, into: gb)
        matmul(dy, w, inputGradient, m: rows, n: inputs, k: outputs, accumulate: false)
    }
}
