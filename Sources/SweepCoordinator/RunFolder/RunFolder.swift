import Foundation

/// The run folder `runs/<sweep name>/` (docs/run-folder.md) and every path inside it. Nothing received from
/// a worker becomes a path outside it: trial ids are checked before they name a folder.
public struct RunFolder: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// `runs/<name>` under `base` (the current directory by default).
    public init(sweepName: String, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) {
        root = base.appendingPathComponent("runs").appendingPathComponent(sweepName)
    }

    public var database: URL { root.appendingPathComponent("sweep.db") }
    public var resultsCSV: URL { root.appendingPathComponent("results.csv") }
    public var curvesCSV: URL { root.appendingPathComponent("curves.csv") }
    public var reportHTML: URL { root.appendingPathComponent("report.html") }
    public var logs: URL { root.appendingPathComponent("logs") }
    public var checkpoints: URL { root.appendingPathComponent("checkpoints") }
    /// The sweep file as this run started it (to detect a changed file on resume).
    public var sweepCopy: URL { root.appendingPathComponent("sweep.json") }

    /// The endpoint local workers use: an ipc socket inside the run folder, which only its owner
    /// can enter (a loopback TCP port would admit every local user). A folder path too long for a
    /// socket address (107 bytes) gets a fresh private folder under the temporary directory.
    public func privateEndpoint() throws -> String {
        var socket = root.appendingPathComponent("coordinator.sock").path
        if socket.utf8.count > 107 {
            var template = Array((NSTemporaryDirectory() + "/rnnsweep-XXXXXX").utf8CString)
            guard let made = mkdtemp(&template) else {
                throw RunSetupError("cannot create a private folder for the workers' socket: \(String(cString: strerror(errno)))")
            }
            socket = String(cString: made) + "/coordinator.sock"
        }
        // Only this process binds here while it holds the run folder's lock: a leftover is stale.
        unlink(socket)
        return "ipc://" + socket
    }

    /// Creates the folder (mode 0700: checkpoints, results and the workers' socket are private)
    /// and its subfolders.
    public func create() throws {
        for url in [root, logs, checkpoints] {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        guard chmod(root.path, 0o700) == 0 else {
            throw RunSetupError("cannot make \(root.path) private (chmod 700): \(String(cString: strerror(errno)))")
        }
    }

    /// A trial id is safe as a folder name: hex/alphanumeric, 1...64 characters.
    public static func isSafeTrialID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "-" }
    }

    /// `checkpoints/<trial>/`; nil for an unsafe id.
    public func checkpointFolder(trialID: String) -> URL? {
        guard Self.isSafeTrialID(trialID) else { return nil }
        return checkpoints.appendingPathComponent(trialID)
    }

    /// A checkpoint file's place: `checkpoints/<trial>/<name>` relative to the root (as the store
    /// records it) and the absolute paths of the file and its folder; nil for an unsafe id. Built
    /// from strings: the coordinator asks for one per upload.
    public func checkpointFile(trialID: String, name: String) -> (relative: String, path: String, folder: String)? {
        guard Self.isSafeTrialID(trialID), !name.contains("/") else { return nil }
        let folder = checkpoints.path + "/" + trialID
        return ("checkpoints/" + trialID + "/" + name, folder + "/" + name, folder)
    }

    /// Path relative to the root, as the store records it.
    public func relative(_ url: URL) -> String {
        let base = root.standardizedFileURL.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }

    public func absolute(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
