#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file POSIX read and crash-safe replace for checkpoints; errors are `SafeTensorsError.io`
/// naming the path, the operation and the system's message.
enum AtomicFile {
    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError(path, "open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioError(path, "stat") }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glue.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw ioError(path, "read") }
            if n == 0 { bytes.removeLast(bytes.count - done); break } // file shrank meanwhile
            done += n
        }
        return bytes
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]).isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(folder)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ioError(temporary, "create temporary file for \(path)") }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glue.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let error = ioError(temporary, "write")
                close(fd); unlink(temporary)
                throw error
            }
            done += n
        }
        guard fsync(fd) == 0 else {
            let error = ioError(temporary, "fsync")
            close(fd); unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = ioError(path, "rename \(temporary) to")
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable; some filesystems refuse fsync on folders, which is harmless.
        let dir = open(folder, O_RDONLY | O_CLOEXEC)
        if dir >= 0 { _ = fsync(dir); close(dir) }
    }

    private static func ioError(_ path: String, _ operation: String) -> SafeTensorsError {
        SafeTensorsError(file: path, reason: .io(operation: operation, message: String(cString: strerror(errno))))
    }
}

/// The C read/write, named apart from the Swift functions they would otherwise shadow.
private enum Glue {
    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(fd, buffer, count)
        #elseif canImport(Musl)
        Musl.read(fd, buffer, count)
        #else
        Darwin.read(fd, buffer, count)
        #endif
    }

    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, buffer, count)
        #elseif canImport(Musl)
        Musl.write(fd, buffer, count)
        #else
        Darwin.write(fd, buffer, count)
        #endif
    }
}
