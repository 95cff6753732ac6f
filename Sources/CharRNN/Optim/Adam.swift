/// torch.optim.Adam (single-tensor path, no weight decay, no amsgrad), step for step:
///   m ← lerp(m, g, 1 − β1);  v ← β2·v + (1 − β2)·g²
///   denom = √v / √(1 − β2^t) + ε;  p ← p − (lr / (1 − β1^t)) · m / denom
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let eps: Float
    public var step = 0
    public let count: Int
    public let m: UnsafeMutablePointer<Float>
    public let v: UnsafeMutablePointer<Float>

    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, count: Int) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.count = count
        m = .allocate(capacity: max(count, 1))
        m.initialize(repeating: 0, count: max(count, 1))
        v = .allocate(capacity: max(count, 1))
        v.initialize(repeating: 0, count: max(count, 1))
    }

    deinit {
        m.deallocate()
        v.deallocate()
    }

    public var stateArrays: [(name: String, values: UnsafeMutablePointer<Float>)] { [("m", m), ("v", v)] }

    public func update(_ store: ParameterStore) {
        precondition(store.count == count)
        step += 1
        // Bias corrections in double, as Python computes them.
        let bc1 = 1 - pow(Double(beta1), Double(step))
        let bc2Sqrt = (1 - pow(Double(beta2), Double(step))).squareRoot()
        let stepSize = Float(Double(learningRate) / bc1)
        let invBc2Sqrt = Float(1 / bc2Sqrt)
        let w1 = 1 - beta1, b2 = beta2, w2 = 1 - beta2, eps = eps
        let p = store.values, g = store.gradients, m = m, v = v
        // Element-wise: blocks on the trainer's threads give the same bits as one loop.
        ThreadPool.forEachElementBlock(of: count) { block in
            for i in block {
                let gi = g[i]
                m[i] += w1 * (gi - m[i])
                v[i] = b2 * v[i] + w2 * gi * gi
                let denom = v[i].squareRoot() * invBc2Sqrt + eps
                p[i] -= stepSize * (m[i] / denom)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
