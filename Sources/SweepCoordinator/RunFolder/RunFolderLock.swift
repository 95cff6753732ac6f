import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One coordinator per run folder: an exclusive `flock` on `runs/<name>.lock`, held from before
/// `--fresh` may delete the folder until the process ends (the kernel drops it with the process,
/// so a SIGKILLed coordinator never leaves a stale lock). The file beside the folder names the
/// holder's pid and host for the refusal message.
public final class RunFolderLock: @unchecked Sendable {
    public let url: URL
    private let fd: Int32

    /// - Throws: `RunSetupError` (exit 2) naming the holder when another process holds the lock.
    public init(for folder: RunFolder) throws {
        url = folder.root.deletingLastPathComponent().appendingPathComponent(folder.root.lastPathComponent + ".lock")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw RunSetupError("cannot open the lock file \(url.path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = Self.holder(fd)
            close(fd)
            if reason == EWOULDBLOCK {
                throw RunSetupError("""
                    \(folder.root.path) is in use by another coordinator (\(holder)); \
                    wait for it to finish or stop it first. `coordinator status` works meanwhile.
                    """)
            }
            throw RunSetupError("cannot lock \(url.path): \(String(cString: strerror(reason)))")
        }
        self.fd = fd
        let line = "pid \(getpid()) on host \(ProcessInfo.processInfo.hostName)\n"
        _ = ftruncate(fd, 0)
        _ = line.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit { close(fd) }

    /// The holder's line, read without trusting it beyond printable ASCII.
    private static func holder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 200)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return "holder unknown" }
        let text = String(decoding: buffer.prefix(count).filter { (0x20...0x7e).contains($0) }, as: UTF8.self)
        return text.isEmpty ? "holder unknown" : text
    }
}
