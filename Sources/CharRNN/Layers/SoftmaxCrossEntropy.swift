/// Mean softmax cross-entropy over N rows of logits (nn.CrossEntropyLoss, reduction "mean"), with
/// accuracy (argmax == target) and the gradient (softmax − onehot)/N.
final class SoftmaxCrossEntropy {
    let classes: Int
    /// dL/dlogits of the last `forward(computeGradient: true)`, [N, V].
    let gradient: UnsafeMutablePointer<Float>

    init(classes: Int, maxRows: Int, workspace: Workspace) {
        self.classes = classes
        gradient = workspace.floats(maxRows * classes)
    }

    struct Result {
        /// Sum of per-row losses (divide by `rows` for the mean); Double so long evaluations add up exactly enough.
        var lossSum: Double
        var correct: Int
        var rows: Int
        var meanLoss: Double { lossSum / Double(rows) }
    }

    func forward(logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows: Int, computeGradient: Bool) -> Result {
        let v = classes
        var lossSum = 0.0
        var correct = 0
        let scale = 1 / Float(rows)
        for r in 0..<rows {
            let z = logits + r * v, g = gradient + r * v
            let target = Int(targets[r])
            precondition(target >= 0 && target < v, "target \(target) outside the vocabulary")
            var maxValue = z[0], argmax = 0
            for j in 1..<max(v, 1) where z[j] > maxValue { maxValue = z[j]; argmax = j }
            if argmax == target { correct += 1 }
            for j in 0..<v { g[j] = z[j] - maxValue }
            applyExp(g, v)
            var s: Float = 0
            for j in 0..<v { s += g[j] }
            // loss = log Σ exp(z − max) − (z_t − max)
            lossSum += Double(logf(s)) - Double(z[target] - maxValue)
            if computeGradient {
                let k = scale / s
                for j in 0..<v { g[j] *= k }
                g[target] -= scale
            }
        }
        return Result(lossSum: lossSum, correct: correct, rows: rows)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
