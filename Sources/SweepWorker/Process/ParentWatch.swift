import Foundation
#if canImport(Glibc)
import CSystemShim
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
        _ = csys_set_parent_death_signal(SIGKILL)
        #endif
        if parentIsGone { exit(3) }
    }

    /// The process was re-parented (its parent exited).
    public var parentIsGone: Bool { getppid() != parentPID }
}
