import Foundation

/// `slurm-job.json` in the run folder: the job this run submitted, so that `coordinator status`
/// can show it and a re-run can re-use (or cancel) it. Read back with every field checked.
public struct SlurmJobRecord: Sendable, Equatable, Codable {
    public var jobID: String
    /// The endpoint its workers connect to, and how many there are: a re-run re-uses the job
    /// only if both still match.
    public var endpoint: String
    public var tasks: Int
    public var state: String
    public var reason: String?
    /// Seconds since 1970 of the last update.
    public var updated: Double

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id", endpoint, tasks, state, reason, updated
    }

    public init(jobID: String, endpoint: String, tasks: Int, state: SlurmJobState, updated: Date = Date()) {
        self.jobID = jobID
        self.endpoint = endpoint
        self.tasks = tasks
        self.state = state.name
        self.reason = state.reason
        self.updated = updated.timeIntervalSince1970
    }

    public var jobState: SlurmJobState { SlurmJobState(name: state, reason: reason) }

    public static func url(in folder: RunFolder) -> URL { folder.root.appendingPathComponent("slurm-job.json") }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try DurableFile.replace(url, with: try encoder.encode(self))
    }

    /// nil when there is no file; throws `RunSetupError` naming the file and field when it is damaged.
    public static func read(_ url: URL) throws -> SlurmJobRecord? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let record: SlurmJobRecord
        do { record = try JSONDecoder().decode(SlurmJobRecord.self, from: try Data(contentsOf: url)) } catch {
            throw RunSetupError("\(url.path): not a SLURM job record (\(error)); delete it if no job of this run is queued")
        }
        func bad(_ field: String, _ value: String) -> RunSetupError {
            RunSetupError("\(url.path): field \(field) has an invalid value \(value.debugDescription); delete the file if no job of this run is queued")
        }
        guard SlurmOutput.isJobID(record.jobID) else { throw bad("job_id", record.jobID) }
        guard record.endpoint.count <= 1024 else { throw bad("endpoint", String(record.endpoint.prefix(40))) }
        guard (1...100_000).contains(record.tasks) else { throw bad("tasks", "\(record.tasks)") }
        guard SlurmOutput.state(fromSqueue: record.state).map({ $0.name == record.state }) == true else { throw bad("state", record.state) }
        guard (record.reason?.count ?? 0) <= 200 else { throw bad("reason", String(record.reason?.prefix(40) ?? "")) }
        guard record.updated.isFinite else { throw bad("updated", "\(record.updated)") }
        return record
    }
}
