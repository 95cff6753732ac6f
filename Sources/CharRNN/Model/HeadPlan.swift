/// The modules of the `fc` nn.Sequential, in order; a module's index is its position (PyTorch counts
/// every module, parameterless ones included, so names like `fc.3.weight` depend on this list).
public enum HeadModule: Sendable, Equatable {
    case linear(inputs: Int, outputs: Int)
    case batchNorm(width: Int)
    case activation(ModelConfig.Activation)
    case dropout(probability: Double)
}

extension ModelConfig {
    /// "between": (f-1) x [Linear, BatchNorm?, activation, Dropout?] then Linear(w_last, V).
    /// "after-first": the activation only once, right after the first Linear (f = 1: on the logits).
    public var headModules: [HeadModule] {
        var modules: [HeadModule] = []
        var width = hiddenSize
        for (i, next) in fcHidden.enumerated() {
            modules.append(.linear(inputs: width, outputs: next))
            if batchNorm { modules.append(.batchNorm(width: next)) }
            if headActivation == .between || i == 0 { modules.append(.activation(activation)) }
            if headDropout > 0 { modules.append(.dropout(probability: headDropout)) }
            width = next
        }
        modules.append(.linear(inputs: width, outputs: vocabSize))
        if headActivation == .afterFirst && fcHidden.isEmpty { modules.append(.activation(activation)) }
        return modules
    }
}

extension ModelConfig {
    /// The state_dict prefix of head module `index` (an index into `headModules`): the module's own
    /// index in an `nn.Sequential`, or, for `module-list`, the number of Linear layers before it,
    /// as an `nn.ModuleList` holding only the Linears (activations applied in `forward`) names them.
    func headModuleName(_ index: Int) -> String {
        switch headNames {
        case .sequential:
            return "fc.\(index)"
        case .moduleList:
            let linearsBefore = headModules.prefix(index).filter { if case .linear = $0 { true } else { false } }.count
            return "fc.\(linearsBefore)"
        }
    }
}
