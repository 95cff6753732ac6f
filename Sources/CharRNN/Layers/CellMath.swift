// SIMD8 access for the fused cell loops. The loop body is written once, generic over how it loads
// and stores: full vectors in the main loop, zero-padded partial vectors for the last `count % 8`
// elements, so every element goes through the same arithmetic. (A single body that branched per load
// between the two made LLVM split the vectors into scalar and xmm pieces: 3x slower.)

typealias Lanes = SIMD8<Float>

protocol LaneAccess {
    static func load(_ p: UnsafePointer<Float>, _ n: Int) -> Lanes
    static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, _ n: Int)
}

/// Eight lanes in memory.
enum FullLanes: LaneAccess {
    @inline(__always) static func load(_ p: UnsafePointer<Float>, _ n: Int) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }
    @inline(__always) static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }
}

/// The first `n` < 8 lanes in memory; the rest read as zero and are not written.
enum PartialLanes: LaneAccess {
    @inline(__always) static func load(_ p: UnsafePointer<Float>, _ n: Int) -> Lanes {
        var v = Lanes()
        for lane in 0..<n { v[lane] = p[lane] }
        return v
    }
    @inline(__always) static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
        for lane in 0..<n { p[lane] = v[lane] }
    }
}

/// tanh x = 2·σ(2x) − 1. SIMDMath.tanh is not inlined into the cell loops (too large), and the call
/// passes SIMD8 through memory; this inlines and costs one sigmoid. Absolute error ≤ ~2e-7 (the
/// cancellation near 0 costs relative, not absolute, accuracy), far inside the PyTorch tolerances.
@inline(__always) func cellTanh(_ x: Lanes) -> Lanes {
    let s = SIMDMath.sigmoid(x + x)
    return s + s - 1
}
