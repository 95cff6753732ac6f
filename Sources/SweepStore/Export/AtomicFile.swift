import Foundation
import SweepCore

/// Replaces an exported file atomically: readers see the old or the new content, never a
/// half-written file, and after a crash one of the two is on disk (`SweepCore.DurableFile`).
enum AtomicFile {
    static func replace(_ path: String, with text: String) throws {
        do {
            try DurableFile.replace(URL(fileURLWithPath: path), with: Array(text.utf8))
        } catch {
            throw StoreError.exportFailed(path: path, reason: error.description)
        }
    }
}
