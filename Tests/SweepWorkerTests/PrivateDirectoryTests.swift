import Foundation
import SweepWorker
import Testing

@Suite struct PrivateDirectoryTests {
    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("priv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func mode(_ url: URL) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    @Test func missingFoldersAreCreatedPrivate() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let state = root.appendingPathComponent("a/b/worker-1")
        try PrivateDirectory.prepare(state)
        #expect(try mode(state) == 0o700)
        #expect(try mode(root.appendingPathComponent("a")) == 0o700)
        try PrivateDirectory.prepare(state)   // an existing private folder is fine
    }

    @Test func aFolderOthersCanWriteIsRefusedNamingItsMode() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let state = root.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: false)
        chmod(state.path, 0o777)
        #expect { try PrivateDirectory.prepare(state) } throws: { error in
            "\(error)".contains(state.path) && "\(error)".contains("mode 777")
        }
        chmod(state.path, 0o755)
        try PrivateDirectory.prepare(state)   // readable by others is allowed; writable is not
    }

    @Test func aSymbolicLinkIsRefused() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let target = root.appendingPathComponent("target")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        let link = root.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect { try PrivateDirectory.prepare(link) } throws: { "\($0)".contains("not a directory") }
    }

    @Test func theDefaultRootFollowsXDGStateHome() {
        #expect(PrivateDirectory.defaultStateRoot(environment: ["XDG_STATE_HOME": "/srv/state"]).path == "/srv/state/rnnsweep")
        #expect(PrivateDirectory.defaultStateRoot(environment: ["XDG_STATE_HOME": "relative"]).path.hasSuffix("/.local/state/rnnsweep"))
    }
}
