import Foundation
import Logging
import SweepWorker
import Testing

/// A worker service owns descriptors (its signal source's wake-up pipe and signal sources, its
/// ZeroMQ context); dropping one must give them all back.
@Suite struct WorkerServiceLifetimeTests {
    @Test func creatingAndDroppingServicesDoesNotLeakDescriptors() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lifetime-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let options = WorkerOptions(endpoint: "tcp://127.0.0.1:1", workerID: "w", host: "test", cores: 1, build: "test",
                                    stateDirectory: root, datasetCache: root.appendingPathComponent("datasets"))
        let trainer = InstantTrainer()
        let logger = Logger(label: "lifetime")
        _ = try WorkerService(options: options, trainer: trainer, logger: logger)  // first-use allocations
        // Each leaked service would hold at least two; other suites running meanwhile open some too.
        let slack = 100
        let before = try openDescriptors()
        for _ in 0..<300 { _ = try WorkerService(options: options, trainer: trainer, logger: logger) }
        // Signal sources are released by a task that ends asynchronously: wait for it, within bounds.
        var after = try openDescriptors()
        for _ in 0..<500 where after > before + slack {
            try await Task.sleep(for: .milliseconds(10))
            after = try openDescriptors()
        }
        #expect(after <= before + slack, "open descriptors grew from \(before) to \(after) over 300 services")
    }

    private func openDescriptors() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
    }
}
