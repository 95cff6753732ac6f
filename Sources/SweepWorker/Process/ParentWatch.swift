import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Makes a locally spawned worker die with its coordinator. The kernel delivers SIGKILL when the
/// parent thread exits (PR_SET_PDEATHSIG); `parentIsGone` covers the race where the parent died
/// before the call, and platforms without prctl.
public struct ParentWatch: Sendable {
    public let parentPID: Int32

    public init(parentPID: Int32) { self.parentPID = parentPID }

    /// Arms the death signal and exits at once if the parent is already gone.
    public func arm() {
        #if os(Linux)
        Self.setParentDeathSignal(SIGKILL)
        #endif
        if parentIsGone { exit(3) }
    }

    #if os(Linux)
    /// prctl is variadic in C and not imported by Glibc's module; it is called through its symbol
    /// with plain integer arguments, which the Linux calling conventions pass alike.
    private static func setParentDeathSignal(_ signal: Int32) {
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        let prSetPdeathsig: Int32 = 1   // <linux/prctl.h>
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else { return }
        _ = unsafeBitCast(symbol, to: Prctl.self)(prSetPdeathsig, UInt(signal), 0, 0, 0)
    }
    #endif

    /// The process was re-parented (its parent exited).
    public var parentIsGone: Bool { getppid() != parentPID }
}
