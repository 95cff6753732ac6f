#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-thread packing buffers for `GEMM.run`: allocated on a thread's first call and freed when the
/// thread exits, so GEMM never allocates in a training step and concurrent threads never share one.
struct GEMMScratch {
    let a: UnsafeMutablePointer<Float>
    let b: UnsafeMutablePointer<Float>

    static let aCount = GEMM.mc * GEMM.kc
    static let bCount = GEMM.kc * GEMM.nc

    static func forCurrentThread() -> GEMMScratch {
        let base: UnsafeMutableRawPointer
        if let existing = pthread_getspecific(scratchKey) {
            base = existing
        } else {
            // 64-byte aligned so packed panels start on cache lines.
            base = UnsafeMutableRawPointer.allocate(byteCount: (aCount + bCount) * MemoryLayout<Float>.stride,
                                                    alignment: 64)
            pthread_setspecific(scratchKey, base)
        }
        let floats = base.assumingMemoryBound(to: Float.self)
        return GEMMScratch(a: floats, b: floats + aCount)
    }
}

/// Created once; its destructor frees a thread's buffer when that thread exits.
private let scratchKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { raw in
        #if canImport(Glibc)
        raw?.deallocate()
        #else
        raw.deallocate()
        #endif
    }
    precondition(status == 0, "GEMM: pthread_key_create failed (\(status))")
    return key
}()
