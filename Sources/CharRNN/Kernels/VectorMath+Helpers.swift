#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small fused loops the layers need around GEMM. All take row-major matrices with a row stride
/// (`stride` ≥ `columns`) so they work on slices of wider buffers (e.g. the gate blocks of [B, 4H]).
extension VectorMath {
    /// y[i, j] += bias[j] for every row: adds a Linear/RNN bias to a batch of outputs.
    public static func add(bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>,
                           rows: Int, columns: Int, stride: Int) {
        precondition(stride >= columns, "VectorMath.add(bias:): stride \(stride) < columns \(columns)")
        for i in 0..<rows {
            let row = y + i * stride
            for j in 0..<columns { row[j] += bias[j] }
        }
    }

    /// sums[j] += Σ_i x[i, j]: the bias gradient of a batch of output gradients.
    public static func addColumnSums(of x: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int,
                                     into sums: UnsafeMutablePointer<Float>) {
        precondition(stride >= columns, "VectorMath.addColumnSums: stride \(stride) < columns \(columns)")
        for i in 0..<rows {
            let row = x + i * stride
            for j in 0..<columns { sums[j] += row[j] }
        }
    }

    /// y += alpha · x.
    public static func axpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = y[i].addingProduct(alpha, x[i]) }
    }

    /// Σ x², accumulated in eight Float lanes and then in Double (for gradient norms over millions of
    /// values). NaN or inf in x gives NaN or inf.
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(x)
        var total = 0.0
        var i = 0
        // Flush the SIMD partial sums every 4096 elements so Float accumulation error stays small.
        while i + 8 <= count {
            var acc = SIMD8<Float>()
            let end = min(count - (count - i) % 8, i + 4096)
            while i < end {
                let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                acc.addProduct(v, v)
                i += 8
            }
            total += Double(acc.sum())
        }
        while i < count {
            total += Double(x[i]) * Double(x[i])
            i += 1
        }
        return Float(total)
    }

    /// Row-wise softmax y = exp(x - max) / Σ exp(x - max), numerically stable; writes each row's
    /// log-sum-exp (max + log Σ) to `logSumExp` when given. `y` may equal `x`. A NaN in a row makes
    /// that row's outputs NaN.
    public static func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                   rows: Int, columns: Int, strideX: Int, strideY: Int,
                                   logSumExp: UnsafeMutablePointer<Float>? = nil) {
        precondition(columns > 0 && strideX >= columns && strideY >= columns,
                     "VectorMath.softmaxRows: columns \(columns), strides \(strideX)/\(strideY)")
        for i in 0..<rows {
            let xr = x + i * strideX, yr = y + i * strideY
            var maximum = -Float.infinity
            for j in 0..<columns where xr[j] > maximum { maximum = xr[j] }
            // All -inf: shift by 0 so exp gives zeros and the sum reports -inf, like PyTorch.
            if maximum == -.infinity { maximum = 0 }
            for j in 0..<columns { yr[j] = xr[j] - maximum }
            exp(yr, yr, count: columns)
            var sum: Float = 0
            for j in 0..<columns { sum += yr[j] }
            let inverse = 1 / sum
            for j in 0..<columns { yr[j] *= inverse }
            logSumExp?[i] = maximum + logf(sum)
        }
    }
}
