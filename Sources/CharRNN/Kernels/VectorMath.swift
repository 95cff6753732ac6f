#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element-wise transcendental functions over contiguous Float buffers. `x` and `y` may be the same
/// buffer (in-place use).
public enum VectorMath {
    public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        referenceSigmoid(x, y, count: count)
    }

    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        referenceTanh(x, y, count: count)
    }

    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        referenceExp(x, y, count: count)
    }

    /// libm-based oracles for tests.
    public static func referenceSigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = 1 / (1 + expf(-x[i])) }
    }

    public static func referenceTanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = tanhf(x[i]) }
    }

    public static func referenceExp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = expf(x[i]) }
    }
}
