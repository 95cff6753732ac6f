/// Updates a ParameterStore from its gradients; its state is flat Float arrays parallel to the
/// parameters (so a checkpoint can store them under the parameters' names).
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    /// Number of updates applied so far.
    var step: Int { get set }
    /// Named state arrays, each `store.count` long (Adam: "m", "v"; SGD: "momentum_buffer").
    var stateArrays: [(name: String, values: UnsafeMutablePointer<Float>)] { get }
    func update(_ store: ParameterStore)
}

/// Builds the optimizer a training config names.
public func makeOptimizer(_ kind: OptimizerKind, learningRate: Double, momentum: Double, parameterCount: Int) -> any Optimizer {
    switch kind {
    case .adam: Adam(learningRate: Float(learningRate), count: parameterCount)
    case .sgd: SGD(learningRate: Float(learningRate), momentum: Float(momentum), count: parameterCount)
    }
}
