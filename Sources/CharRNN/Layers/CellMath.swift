// SIMD8 loads and stores for the fused cell loops: full vectors in the body, a zero-padded vector for
// the last `count % 8` elements, so every element goes through the same arithmetic.

typealias Lanes = SIMD8<Float>

@inline(__always) func loadLanes(_ p: UnsafePointer<Float>, _ n: Int) -> Lanes {
    if n >= 8 { return UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
    var v = Lanes()
    for lane in 0..<n { v[lane] = p[lane] }
    return v
}

@inline(__always) func storeLanes(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n >= 8 {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
        return
    }
    for lane in 0..<n { p[lane] = v[lane] }
}
