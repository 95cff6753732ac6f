/// Cephes-style single-precision exp/sigmoid/tanh on SIMD8 (one AVX2 register): range reduction to
/// |r| ≤ ln2/2, a degree-6 polynomial, and exponent-bit scaling. Comparisons use `replacing(with:where:)`
/// because `clamped`/`pointwiseMin` on SIMD Float are scalarized (notes/simd.md).
public enum SIMDMath {
    public typealias V = SIMD8<Float>

    /// e^x. Inputs are clamped to [-104, 89], beyond which the float result is 0 / inf anyway; 2^n
    /// is applied as two factors so results in the subnormal range round once, like libm.
    @inline(__always)
    public static func exp(_ x: V) -> V {
        var v = x.replacing(with: 89, where: x .> 89)
        v = v.replacing(with: -104, where: v .< -104)
        // n = round(x·log2 e) with the 1.5·2^23 trick: the sum's low mantissa bits hold n.
        let magic: Float = 12_582_912
        let shifted = V(repeating: magic).addingProduct(v, 1.442_695_04)
        let n = shifted - magic
        // r = x - n·ln2 in two pieces (Cephes C1 + C2) to keep r exact.
        var r = v.addingProduct(n, V(repeating: -0.693_359_375))
        r = r.addingProduct(n, V(repeating: 2.121_944_4e-4))
        var p = V(repeating: 1.987_569_15e-4)
        p = V(repeating: 1.398_199_950_7e-3).addingProduct(p, r)
        p = V(repeating: 8.333_451_907_3e-3).addingProduct(p, r)
        p = V(repeating: 4.166_579_589_4e-2).addingProduct(p, r)
        p = V(repeating: 1.666_666_545_9e-1).addingProduct(p, r)
        p = V(repeating: 5.000_000_120_1e-1).addingProduct(p, r)
        let y = r.addingProduct(p, r * r) + 1
        let ni = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let n1 = ni &>> 1
        let n2 = ni &- n1
        let s1 = unsafeBitCast((n1 &+ 127) &<< 23, to: V.self)
        let s2 = unsafeBitCast((n2 &+ 127) &<< 23, to: V.self)
        return y * s1 * s2
    }

    /// 1 / (1 + e^-x): e^-x → inf gives 0, → 0 gives 1.
    @inline(__always)
    public static func sigmoid(_ x: V) -> V {
        1 / (1 + exp(-x))
    }

    /// Cephes tanhf: odd polynomial below |x| = 0.625, 1 - 2/(e^{2|x|} + 1) above, sign restored.
    @inline(__always)
    public static func tanh(_ x: V) -> V {
        let ax = x.replacing(with: -x, where: x .< 0)
        let s = x * x
        var p = V(repeating: -5.704_988_727_45e-3)
        p = V(repeating: 2.063_908_879_54e-2).addingProduct(p, s)
        p = V(repeating: -5.373_971_555_31e-2).addingProduct(p, s)
        p = V(repeating: 1.333_144_220_36e-1).addingProduct(p, s)
        p = V(repeating: -3.333_328_194_22e-1).addingProduct(p, s)
        let small = x.addingProduct(x, p * s)
        let e = exp(ax + ax)
        var large = 1 - 2 / (e + 1)
        large = large.replacing(with: -large, where: x .< 0)
        return large.replacing(with: small, where: ax .< 0.625)
    }
}
