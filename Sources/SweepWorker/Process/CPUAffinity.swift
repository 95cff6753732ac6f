import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Pins the calling process to one core (sched_setaffinity), so N workers on N cores do not
/// migrate. Glibc's module does not import the cpu_set_t macros, so the mask is built by hand.
public enum CPUAffinity {
    /// Returns false when pinning is unsupported or refused (the worker then runs unpinned).
    @discardableResult
    public static func pin(toCore core: Int) -> Bool {
        #if os(Linux)
        guard core >= 0, core < 1024 else { return false }
        typealias SetAffinity = @convention(c) (Int32, Int, UnsafeRawPointer) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_setaffinity") else { return false }
        var mask = [UInt64](repeating: 0, count: 16)   // 1024 CPUs, like glibc's cpu_set_t
        mask[core / 64] |= 1 << UInt64(core % 64)
        return mask.withUnsafeBytes { unsafeBitCast(symbol, to: SetAffinity.self)(0, $0.count, $0.baseAddress!) } == 0
        #else
        return false
        #endif
    }
}
