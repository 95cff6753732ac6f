/// nn.BatchNorm1d (eps 1e-5, momentum 0.1, affine). Training normalises with the batch statistics
/// (biased variance) and updates the running statistics (unbiased variance); evaluation uses the
/// running statistics.
final class BatchNorm1d: HeadLayer {
    static let eps: Float = 1e-5
    static let momentum: Float = 0.1

    let width: Int
    let output: UnsafeMutablePointer<Float>
    let inputGradient: UnsafeMutablePointer<Float>
    private let gamma: UnsafeMutablePointer<Float>, beta: UnsafeMutablePointer<Float>
    private let gGamma: UnsafeMutablePointer<Float>, gBeta: UnsafeMutablePointer<Float>
    private let runningMean: UnsafeMutablePointer<Float>, runningVar: UnsafeMutablePointer<Float>
    private unowned let store: ParameterStore
    private let counterIndex: Int
    /// x̂ of the last training forward, and 1/sqrt(var + eps) per feature.
    private let normalized: UnsafeMutablePointer<Float>
    private let invStd: UnsafeMutablePointer<Float>
    private let mean: UnsafeMutablePointer<Float>
    private let sumDy: UnsafeMutablePointer<Float>, sumDyXhat: UnsafeMutablePointer<Float>
    private var trainedForward = false

    var outputWidth: Int { width }

    init(store: ParameterStore, name: String, width: Int, maxRows: Int, workspace: Workspace) {
        self.width = width
        self.store = store
        gamma = store.valueStart("\(name).weight")
        beta = store.valueStart("\(name).bias")
        gGamma = store.gradientStart("\(name).weight")
        gBeta = store.gradientStart("\(name).bias")
        runningMean = store.bufferStart("\(name).running_mean")
        runningVar = store.bufferStart("\(name).running_var")
        counterIndex = store.counterIndex("\(name).num_batches_tracked")
        output = workspace.floats(maxRows * width)
        inputGradient = workspace.floats(maxRows * width)
        normalized = workspace.floats(maxRows * width)
        invStd = workspace.floats(width)
        mean = workspace.floats(width)
        sumDy = workspace.floats(width)
        sumDyXhat = workspace.floats(width)
    }

    func forward(_ x: UnsafePointer<Float>, rows: Int, training: Bool, rng: inout SeededGenerator) {
        trainedForward = training
        let c = width
        if training {
            let m = BatchNorm1d.momentum
            for j in 0..<c {
                var s = 0.0
                for r in 0..<rows { s += Double(x[r * c + j]) }
                let mu = s / Double(rows)
                var v = 0.0
                for r in 0..<rows { let d = Double(x[r * c + j]) - mu; v += d * d }
                let biased = v / Double(rows)
                let unbiased = rows > 1 ? v / Double(rows - 1) : biased
                mean[j] = Float(mu)
                invStd[j] = Float(1 / (biased + Double(BatchNorm1d.eps)).squareRoot())
                runningMean[j] = (1 - m) * runningMean[j] + m * Float(mu)
                runningVar[j] = (1 - m) * runningVar[j] + m * Float(unbiased)
            }
            store.batchesTracked[counterIndex] += 1
            for r in 0..<rows {
                let xr = x + r * c, nr = normalized + r * c, yr = output + r * c
                for j in 0..<c {
                    let xh = (xr[j] - mean[j]) * invStd[j]
                    nr[j] = xh
                    yr[j] = gamma[j] * xh + beta[j]
                }
            }
        } else {
            for j in 0..<c {
                invStd[j] = 1 / (runningVar[j] + BatchNorm1d.eps).squareRoot()
            }
            for r in 0..<rows {
                let xr = x + r * c, yr = output + r * c
                for j in 0..<c { yr[j] = gamma[j] * (xr[j] - runningMean[j]) * invStd[j] + beta[j] }
            }
        }
    }

    func backward(_ dy: UnsafePointer<Float>, rows: Int) {
        precondition(trainedForward, "BatchNorm1d backward needs a training-mode forward")
        let c = width
        sumDy.update(repeating: 0, count: c)
        sumDyXhat.update(repeating: 0, count: c)
        for r in 0..<rows {
            let d = dy + r * c, nr = normalized + r * c
            for j in 0..<c {
                sumDy[j] += d[j]
                sumDyXhat[j] += d[j] * nr[j]
            }
        }
        addInPlace(gBeta, sumDy, c)
        addInPlace(gGamma, sumDyXhat, c)
        let inv = 1 / Float(rows)
        for r in 0..<rows {
            let d = dy + r * c, nr = normalized + r * c, dx = inputGradient + r * c
            for j in 0..<c {
                // dx = γ·invstd/N · (N·dy − Σdy − x̂·Σ(dy·x̂))
                dx[j] = gamma[j] * invStd[j] * (d[j] - inv * sumDy[j] - nr[j] * inv * sumDyXhat[j])
            }
        }
    }
}
