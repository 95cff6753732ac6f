/// PyTorch's default initialisation, drawn from a SeededGenerator (the distributions match PyTorch;
/// the random streams cannot): Embedding N(0, 1); recurrent weights and biases U(±1/√H); Linear
/// weight and bias U(±1/√fan_in) (kaiming_uniform with a = √5 reduces to that bound); BatchNorm
/// γ = 1, β = 0, running mean 0, running var 1, num_batches_tracked 0. Tensors are drawn in
/// `named_parameters()` order.
extension ParameterStore {
    func initialize(config: ModelConfig, rng: inout SeededGenerator) {
        let recurrentBound = 1 / Float(config.hiddenSize).squareRoot()
        var bnPrefixes = Set<String>()
        for module in config.headModules.enumerated() {
            if case .batchNorm = module.element { bnPrefixes.insert(config.headModuleName(module.offset)) }
        }
        for slot in parameters {
            let p = values + slot.offset
            // Names are "<module>.<tensor>"; the module prefix finds a BatchNorm or a Linear's weight.
            let prefix = slot.name.lastIndex(of: ".").map { String(slot.name[..<$0]) } ?? slot.name
            if slot.name == "embedding.weight" {
                for i in 0..<slot.count { p[i] = rng.nextNormal() }
            } else if slot.name.hasPrefix("rnn.") {
                for i in 0..<slot.count { p[i] = rng.nextFloat(in: -recurrentBound, recurrentBound) }
            } else if bnPrefixes.contains(prefix) {
                p.update(repeating: slot.name.hasSuffix(".weight") ? 1 : 0, count: slot.count)
            } else {
                // Linear: fan_in is the weight's second dimension; the bias uses the same bound.
                guard let weight = parameter(prefix + ".weight"), weight.shape.count == 2 else {
                    preconditionFailure("the layout's Linear \(prefix) has no 2-D weight")
                }
                let fanIn = weight.shape[1]
                let bound = 1 / Float(fanIn).squareRoot()
                for i in 0..<slot.count { p[i] = rng.nextFloat(in: -bound, bound) }
            }
        }
        for slot in buffers {
            bufferValues.advanced(by: slot.offset).update(repeating: slot.name.hasSuffix("running_var") ? 1 : 0, count: slot.count)
        }
        for i in batchesTracked.indices { batchesTracked[i] = 0 }
        zeroGradients()
    }
}
