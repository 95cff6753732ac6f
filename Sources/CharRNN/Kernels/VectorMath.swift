#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element-wise transcendental functions over contiguous Float buffers, eight lanes at a time
/// (see `SIMDMath.swift`). `x` and `y` may be the same buffer (in-place use). NaN propagates;
/// ±inf and large |x| give the limits (exp → inf / 0, sigmoid → 1 / 0, tanh → ±1).
public enum VectorMath {
    /// y = 1 / (1 + e^-x); max abs error ≈ 1e-7.
    public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count: count, Sigmoid.self)
    }

    /// y = tanh(x); max abs error ≈ 2e-7.
    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count: count, Tanh.self)
    }

    /// y = e^x; max relative error ≈ 1e-7 (gradual underflow to 0 below x ≈ -103.3).
    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count: count, Exp.self)
    }

    /// Applies `f` to full SIMD8 chunks and to a zero-padded final chunk, so every element goes
    /// through the same code path (identical results wherever it sits in the buffer).
    @inline(__always)
    static func map<F: LaneFunction>(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                                     _: F.Type) {
        @inline(__always) func f(_ v: SIMD8<Float>) -> SIMD8<Float> { F.apply(v) }
        precondition(count >= 0, "VectorMath: negative count \(count)")
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        var i = 0
        // Two independent vectors per iteration give the out-of-order core two dependency chains.
        while i + 16 <= count {
            let v0 = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let v1 = rx.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            ry.storeBytes(of: f(v0), toByteOffset: i * 4, as: SIMD8<Float>.self)
            ry.storeBytes(of: f(v1), toByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        while i + 8 <= count {
            let v = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            ry.storeBytes(of: f(v), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        if i < count {
            var v = SIMD8<Float>()
            for lane in 0..<(count - i) { v[lane] = x[i + lane] }
            let r = f(v)
            for lane in 0..<(count - i) { y[i + lane] = r[lane] }
        }
    }

    /// A SIMD8 function passed as a type, not a closure, so each `map` is specialised and the
    /// function inlined (through a closure LLVM outlined it and split SIMD8 into xmm halves).
    protocol LaneFunction { static func apply(_ v: SIMD8<Float>) -> SIMD8<Float> }
    enum Exp: LaneFunction { @inline(__always) static func apply(_ v: SIMD8<Float>) -> SIMD8<Float> { SIMDMath.exp(v) } }
    enum Sigmoid: LaneFunction { @inline(__always) static func apply(_ v: SIMD8<Float>) -> SIMD8<Float> { SIMDMath.sigmoid(v) } }
    enum Tanh: LaneFunction { @inline(__always) static func apply(_ v: SIMD8<Float>) -> SIMD8<Float> { SIMDMath.tanh(v) } }

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
