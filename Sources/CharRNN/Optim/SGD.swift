/// torch.optim.SGD (no dampening, no weight decay, not Nesterov): with momentum μ > 0,
/// buf ← g on the first step, then buf ← μ·buf + g; p ← p − lr·buf. Without momentum p ← p − lr·g.
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public var step = 0
    public let count: Int
    public let buffer: UnsafeMutablePointer<Float>

    public init(learningRate: Float, momentum: Float = 0, count: Int) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.count = count
        buffer = .allocate(capacity: max(count, 1))
        buffer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { buffer.deallocate() }

    public var stateArrays: [(name: String, values: UnsafeMutablePointer<Float>)] { [("momentum_buffer", buffer)] }

    public func update(_ store: ParameterStore) {
        precondition(store.count == count)
        let p = store.values, g = store.gradients, buf = buffer, lr = learningRate, mu = momentum
        if mu == 0 {
            for i in 0..<count { p[i] -= lr * g[i] }
        } else if step == 0 {
            for i in 0..<count { buf[i] = g[i]; p[i] -= lr * buf[i] }
        } else {
            for i in 0..<count { buf[i] = mu * buf[i] + g[i]; p[i] -= lr * buf[i] }
        }
        step += 1
    }
}
