import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file atomically: readers see the old or the new content, never a half-written
/// file, and after a crash one of the two is on disk. Writes a temporary file in the same folder,
/// fsyncs it, renames it over the target, then fsyncs the folder so the rename is durable.
enum AtomicFile {
    static func replace(_ path: String, with text: String) throws {
        let target = URL(fileURLWithPath: path)
        let folder = target.deletingLastPathComponent().path
        let temporary = folder + "/." + target.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ step: String) -> StoreError {
            StoreError.exportFailed(path: path, reason: "\(step): \(String(cString: strerror(errno)))")
        }

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("create \(temporary)") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            let bytes = Array(text.utf8)
            var written = 0
            while written < bytes.count {
                let n = bytes.withUnsafeBytes { buffer in
                    write(fd, buffer.baseAddress! + written, buffer.count - written)
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure("write")
                }
                written += n
            }
            guard fsync(fd) == 0 else { throw failure("fsync") }
            closed = true
            guard close(fd) == 0 else { throw failure("close") }
            guard rename(temporary, path) == 0 else { throw failure("rename") }
        } catch {
            unlink(temporary)
            throw error
        }
        // Best effort: some filesystems refuse fsync on a directory.
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            _ = fsync(folderFD)
            close(folderFD)
        }
    }
}
