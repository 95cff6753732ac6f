import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error that carries the `errno` of the system call that failed, if it knows it.
public protocol SystemCallFailure: Error {
    var systemErrorNumber: Int32? { get }
}

extension DurableFile.IOError {
    public var systemErrorNumber: Int32? { errorNumber }
}

/// Failures that say the filesystem cannot take more writes (full, over quota, read-only), as
/// opposed to a problem with what was being written. A worker whose own folder is in this state
/// fails every trial it is given, so such failures are charged to the worker, not the trial.
public enum StorageFault {
    /// ENOSPC, EDQUOT and EROFS.
    public static func isExhausted(errorNumber: Int32) -> Bool {
        errorNumber == ENOSPC || errorNumber == EDQUOT || errorNumber == EROFS
    }

    /// Whether `error`, or an error it wraps, says so.
    public static func isExhausted(_ error: any Error) -> Bool {
        errorNumber(of: error).map(isExhausted(errorNumber:)) ?? false
    }

    /// The `errno` behind `error`, if it tells: our own errors that carry one, POSIX errors, and
    /// Foundation's file errors (through their underlying error, or their out-of-space and
    /// read-only-volume codes).
    public static func errorNumber(of error: any Error) -> Int32? {
        if let failure = error as? any SystemCallFailure { return failure.systemErrorNumber }
        var current: NSError? = error as NSError
        // Bounded: a cycle of underlying errors must not loop forever.
        for _ in 0..<8 {
            guard let nsError = current else { return nil }
            if nsError.domain == NSPOSIXErrorDomain { return Int32(exactly: nsError.code) }
            if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError {
                current = underlying
                continue
            }
            guard nsError.domain == NSCocoaErrorDomain else { return nil }
            switch nsError.code {
            case CocoaError.fileWriteOutOfSpace.rawValue: return ENOSPC
            case CocoaError.fileWriteVolumeReadOnly.rawValue: return EROFS
            default: return nil
            }
        }
        return nil
    }
}
