import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe whole-file replace for files other records point at (cached datasets, checkpoints,
/// exports, the worker's outbox): readers see the old file or the new one, and once `replace`
/// returns the new one survives a power cut. Writes straight from the caller's buffer to a
/// temporary file beside the target, fsyncs it, renames it over the target and fsyncs the folder.
public enum DurableFile {
    /// A failed system call: which, on which file, and the system's message.
    public struct IOError: Error, Equatable, CustomStringConvertible, SystemCallFailure {
        public let path: String
        public let operation: String
        public let reason: String
        /// The call's `errno`.
        public let errorNumber: Int32
        public var description: String { "\(operation) \(path): \(reason)" }

        public init(path: String, operation: String, errorNumber: Int32) {
            self.path = path
            self.operation = operation
            self.reason = String(cString: strerror(errorNumber))
            self.errorNumber = errorNumber
        }
    }

    public static func replace(_ url: URL, with bytes: some ContiguousBytes) throws(IOError) {
        try replace(atPath: url.path, with: bytes)
    }

    public static func replace(atPath path: String, with bytes: some ContiguousBytes) throws(IOError) {
        let (folder, name) = split(path)
        let temporary = "\(folder)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try create(atPath: temporary, with: bytes)
        do { try rename(atPath: temporary, to: path) } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes a new file (it must not exist) and syncs it, without making its name durable: for a
    /// file that is checked before `rename` puts it in place.
    public static func create(atPath path: String, with bytes: some ContiguousBytes) throws(IOError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("create", path) }
        let written: IOError? = bytes.withUnsafeBytes { buffer in
            // Only an empty buffer may have no address; the file then stays empty.
            if let start = buffer.baseAddress {
                var done = 0
                while done < buffer.count {
                    let n = write(fd, start + done, buffer.count - done)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { return failure("write", path) }
                    done += n
                }
            }
            return fsync(fd) == 0 ? nil : failure("fsync", path)
        }
        close(fd)
        if let written {
            unlink(path)
            throw written
        }
    }

    /// Renames `source` over `path` (same folder) and syncs the folder, so the new name survives a
    /// power cut once this returns.
    public static func rename(atPath source: String, to path: String) throws(IOError) {
        guard renameEntry(source, path) == 0 else { throw failure("rename \(source) to", path) }
        syncFolder(atPath: split(path).folder)
    }

    /// Creates `folder` unless it exists and, when it was created, syncs its parent so the new entry
    /// survives a power cut. Returns whether it was created. The parent must exist.
    @discardableResult
    public static func createFolder(atPath folder: String, mode: mode_t = 0o755) throws(IOError) -> Bool {
        if mkdir(folder, mode) == 0 {
            syncFolder(atPath: split(folder).folder)
            return true
        }
        guard errno == EEXIST else { throw failure("create folder", folder) }
        return false
    }

    /// Removes the file if it is there (a missing file is not an error).
    public static func removeIfPresent(atPath path: String) throws(IOError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("remove", path) }
    }

    /// Makes the folder's entries (a file renamed or created in it, a new subfolder) durable. Some
    /// filesystems refuse fsync on folders, which is harmless.
    public static func syncFolder(atPath folder: String) {
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            _ = fsync(folderFD)
            close(folderFD)
        }
    }

    private static func split(_ path: String) -> (folder: String, name: String) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return (folder, name)
    }

    /// The whole file, read with plain POSIX calls (no Foundation buffering or mapping).
    public static func read(atPath path: String) throws(IOError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("stat", path) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var failed: IOError?
        let done = bytes.withUnsafeMutableBytes { buffer in
            // Only an empty buffer may have no address, and an empty file has nothing to read.
            guard let start = buffer.baseAddress else { return 0 }
            var done = 0
            while done < buffer.count {
                let n = readSome(fd, start + done, buffer.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { failed = failure("read", path); break }
                if n == 0 { break }  // the file shrank meanwhile
                done += n
            }
            return done
        }
        if let failed { throw failed }
        bytes.removeLast(bytes.count - done)
        return bytes
    }

    private static func failure(_ operation: String, _ path: String) -> IOError {
        IOError(path: path, operation: operation, errorNumber: errno)
    }
}

/// The C read(2), named apart from `DurableFile.read`, which would otherwise shadow it.
private func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}

/// The C rename(2), named apart from `DurableFile.rename`, which would otherwise shadow it.
private func renameEntry(_ source: String, _ target: String) -> Int32 {
    #if canImport(Glibc)
    Glibc.rename(source, target)
    #else
    Darwin.rename(source, target)
    #endif
}
