/// The `fc` nn.Sequential: runs its modules in order on [rows, width] matrices.
final class Head {
    let modules: [HeadLayer]

    init(config: ModelConfig, store: ParameterStore, maxRows: Int, workspace: Workspace) {
        var modules: [HeadLayer] = []
        var width = config.hiddenSize
        for (i, m) in config.headModules.enumerated() {
            switch m {
            case let .linear(inputs, outputs):
                modules.append(Linear(store: store, name: config.headModuleName(i), inputs: inputs, outputs: outputs, maxRows: maxRows, workspace: workspace))
                width = outputs
            case let .batchNorm(w):
                modules.append(BatchNorm1d(store: store, name: config.headModuleName(i), width: w, maxRows: maxRows, workspace: workspace))
            case let .activation(kind):
                modules.append(ActivationLayer(kind: kind, width: width, maxRows: maxRows, workspace: workspace))
            case let .dropout(p):
                modules.append(DropoutLayer(probability: p, width: width, maxRows: maxRows, workspace: workspace))
            }
        }
        self.modules = modules
    }

    /// Returns the logits [rows, V].
    func forward(_ x: UnsafePointer<Float>, rows: Int, training: Bool, rng: inout SeededGenerator) -> UnsafeMutablePointer<Float> {
        var input = x
        for m in modules {
            m.forward(input, rows: rows, training: training, rng: &rng)
            input = UnsafePointer(m.output)
        }
        return modules[modules.count - 1].output
    }

    /// Returns dL/d(head input) [rows, H].
    func backward(_ dLogits: UnsafePointer<Float>, rows: Int) -> UnsafeMutablePointer<Float> {
        var dy = dLogits
        for m in modules.reversed() {
            m.backward(dy, rows: rows)
            dy = UnsafePointer(m.inputGradient)
        }
        return modules[0].inputGradient
    }
}
