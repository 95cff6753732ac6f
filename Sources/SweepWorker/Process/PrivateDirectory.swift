import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A worker's state folder holds its outbox, which it resends verbatim over its authenticated
/// session: another local user who could write there could make it report forged results. So the
/// folder is created mode 0700, and an existing one is used only if it is a real directory owned by
/// this user that nobody else can write to.
public enum PrivateDirectory {
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// `$XDG_STATE_HOME/rnnsweep` (default `~/.local/state/rnnsweep`): where state folders go
    /// when none is given.
    public static func defaultStateRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return URL(fileURLWithPath: state).appendingPathComponent("rnnsweep")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/state/rnnsweep")
    }

    /// Creates `url` (and missing parents) with mode 0700, then checks it.
    public static func prepare(_ url: URL) throws {
        let path = url.standardizedFileURL.path
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw Refusal(description: "cannot create \(prefix): \(String(cString: strerror(errno)))")
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw Refusal(description: "cannot inspect \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw Refusal(description: "\(path) is not a directory (a symbolic link or a file); refusing to keep worker state there")
        }
        guard info.st_uid == geteuid() else {
            throw Refusal(description: "\(path) belongs to user id \(info.st_uid), not to this user (\(geteuid())); refusing to keep worker state there")
        }
        guard info.st_mode & 0o022 == 0 else {
            throw Refusal(description: """
                \(path) can be written by other users (mode \(String(info.st_mode & 0o777, radix: 8))); \
                refusing to keep worker state there (chmod 700 it, or choose another --state-dir)
                """)
        }
    }
}
