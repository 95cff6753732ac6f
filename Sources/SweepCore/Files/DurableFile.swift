import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe whole-file replace for files other records point at (cached datasets, stored
/// checkpoints): readers see the old file or the new one, and once `replace` returns the new one
/// survives a power cut. Writes straight from the caller's buffer (no intermediate copy) to a
/// temporary file beside the target, fsyncs it, renames it over the target and fsyncs the folder.
public enum DurableFile {
    public struct WriteError: Error, Equatable, CustomStringConvertible {
        public let path: String
        public let operation: String
        public let reason: String
        public var description: String { "\(operation) \(path): \(reason)" }
    }

    public static func replace(_ url: URL, with bytes: some ContiguousBytes) throws(WriteError) {
        let path = url.path
        let folder = url.deletingLastPathComponent().path
        let temporary = "\(folder)/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        func failure(_ operation: String, _ file: String) -> WriteError {
            WriteError(path: file, operation: operation, reason: String(cString: strerror(errno)))
        }

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("create", temporary) }
        let written: WriteError? = bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return failure("write", temporary) }
                done += n
            }
            return fsync(fd) == 0 ? nil : failure("fsync", temporary)
        }
        close(fd)
        if let written {
            unlink(temporary)
            throw written
        }
        guard rename(temporary, path) == 0 else {
            let error = failure("rename \(temporary) to", path)
            unlink(temporary)
            throw error
        }
        // Makes the rename itself durable; some filesystems refuse fsync on folders, which is harmless.
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            _ = fsync(folderFD)
            close(folderFD)
        }
    }
}
