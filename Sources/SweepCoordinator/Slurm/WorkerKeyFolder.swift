import Foundation
import ZeroMQ

/// The CURVE keys of a run whose coordinator starts remote workers itself: a folder (mode 0700)
/// with the coordinator's key pair, its public key for the workers, one key pair all the run's
/// workers share, and the allow-list holding that worker key. Every file is mode 0600. Made once
/// and re-used by later runs (a re-used SLURM job keeps working).
public struct WorkerKeyFolder: Sendable {
    public let folder: URL
    public var coordinatorKey: URL { folder.appendingPathComponent("coordinator.key") }
    public var coordinatorPublic: URL { folder.appendingPathComponent("coordinator.pub") }
    public var workerKey: URL { folder.appendingPathComponent("worker.key") }
    public var allowedWorkers: URL { folder.appendingPathComponent("allowed-workers") }

    public init(folder: URL) { self.folder = folder }

    /// Creates the missing keys; checks existing ones (a damaged file is an error naming it).
    public func prepare() throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw RunSetupError("cannot create the key folder \(folder.path): \(error)")
        }
        guard chmod(folder.path, 0o700) == 0 else {
            throw RunSetupError("cannot make \(folder.path) private (chmod 700): \(String(cString: strerror(errno)))")
        }
        let exists = { (url: URL) in FileManager.default.fileExists(atPath: url.path) }
        if !exists(coordinatorKey) || !exists(coordinatorPublic) {
            let pair = try CurveKeyFiles.generate()
            try CurveKeyFiles.write(pair, to: coordinatorKey)
            try writePrivate(pair.publicKey + "\n", to: coordinatorPublic)
        }
        if !exists(workerKey) || !exists(allowedWorkers) {
            let pair = try CurveKeyFiles.generate()
            try CurveKeyFiles.write(pair, to: workerKey)
            try writePrivate(pair.publicKey + "\n", to: allowedWorkers)
        }
        // Read back what the run will use: a damaged file stops it here, named.
        let coordinator = try CurveKeyFiles.readKeyPair(coordinatorKey)
        guard try CurveKeyFiles.readPublicKey(coordinatorPublic) == coordinator.publicKey else {
            throw RunSetupError("\(coordinatorPublic.path) does not hold the public key of \(coordinatorKey.path); delete both to make new ones")
        }
        let worker = try CurveKeyFiles.readKeyPair(workerKey)
        guard try CurveKeyFiles.readAllowList(allowedWorkers).contains(worker.publicKey) else {
            throw RunSetupError("\(allowedWorkers.path) does not allow the key of \(workerKey.path); delete both to make new ones")
        }
        for url in [coordinatorKey, coordinatorPublic, workerKey, allowedWorkers] { _ = chmod(url.path, 0o600) }
    }

    private func writePrivate(_ text: String, to url: URL) throws {
        do { try DurableFile.replace(url, with: Array(text.utf8)) } catch { throw RunSetupError("cannot write \(url.path): \(error)") }
        _ = chmod(url.path, 0o600)
    }
}
