import Foundation
import SystemSupport

/// Results (and result-like failures) the coordinator has not acknowledged yet, kept on disk so a
/// worker that reconnects — or restarts — sends them again (SPEC.md, delivery). One file per
/// trial holds the message's frames; a RESULT_ACK deletes it.
public struct Outbox: Sendable {
    public let directory: URL

    public init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private struct Entry: Codable {
        var trialID: String
        var attempt: Int
        /// The message frames after the identity: magic, command, header (and payload).
        var frames: [Data]
    }

    private func url(for trialID: String) -> URL {
        // Trial ids are short hex hashes; anything else is reduced to safe characters.
        let safe = String(trialID.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : "_" })
        return directory.appendingPathComponent("\(safe).json")
    }

    /// Stores the frames durably before they are first sent: a result survives a power cut too.
    public func put(trialID: String, attempt: Int, frames: [[UInt8]]) throws {
        let data = try JSONEncoder().encode(Entry(trialID: trialID, attempt: attempt, frames: frames.map { Data($0) }))
        try DurableFile.replace(url(for: trialID), with: data)
    }

    /// Forgets the trial's message (it was acknowledged).
    public func remove(trialID: String) {
        try? FileManager.default.removeItem(at: url(for: trialID))
    }

    /// Forgets the trial's message only if it is about `attempt`: an answer about an older attempt
    /// must not delete a newer attempt's unacknowledged result.
    public func remove(trialID: String, attempt: Int) {
        let file = url(for: trialID)
        guard let data = try? Data(contentsOf: file), let entry = try? JSONDecoder().decode(Entry.self, from: data) else {
            return
        }
        if entry.attempt == attempt { try? FileManager.default.removeItem(at: file) }
    }

    /// Every pending message, oldest first; unreadable files are skipped and reported.
    public func pending() -> (messages: [(trialID: String, attempt: Int, frames: [[UInt8]])], unreadable: [String]) {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        var messages: [(Date, String, Int, [[UInt8]])] = []
        var unreadable: [String] = []
        for file in files where file.pathExtension == "json" {
            guard let data = try? Data(contentsOf: file), let entry = try? JSONDecoder().decode(Entry.self, from: data) else {
                unreadable.append(file.path)
                continue
            }
            let date = (try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            messages.append((date, entry.trialID, entry.attempt, entry.frames.map { [UInt8]($0) }))
        }
        messages.sort { $0.0 < $1.0 }
        return (messages.map { ($0.1, $0.2, $0.3) }, unreadable)
    }

    public var isEmpty: Bool { pending().messages.isEmpty }
}
