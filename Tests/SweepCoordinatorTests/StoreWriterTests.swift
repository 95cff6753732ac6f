import Foundation
import SweepStore
import Synchronization
import Testing
@testable import SweepCoordinator

/// The store writer commits a batch of writes on its own thread into a real sweep.db: the caller
/// goes on meanwhile and learns the outcome through the writer's descriptor; a batch commits whole
/// or not at all, and one that fails leaves nothing behind.
@Suite struct StoreWriterTests {
    private func store() throws -> (SweepStore, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString)")
        return (try SweepStore(path: folder.appendingPathComponent("sweep.db").path), folder)
    }

    private func none(_ outcome: StoreWriter.Outcome?) -> Bool {
        if case nil = outcome { return true }
        return false
    }

    private func readable(_ fd: Int32, within seconds: Double) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, Int32(seconds * 1000)) == 1
    }

    @Test func aBatchCommitsOffTheCallersThreadAndSignalsItsOutcome() throws {
        let (store, folder) = try store()
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = StoreWriter(store: store)
        defer { writer.close() }
        let gate = DispatchSemaphore(value: 0)
        let ranOn = Mutex<pthread_t?>(nil)
        let writes = [
            StoreWriter.Write(what: "first") { tx in
                ranOn.withLock { $0 = pthread_self() }
                gate.wait()
                try tx.appendEvent(kind: "test", message: "one")
                return ["checkpoints/a/epoch-1.safetensors"]
            },
            StoreWriter.Write(what: "second") { tx in
                try tx.appendEvent(kind: "test", message: "two")
                return ["checkpoints/b/epoch-1.safetensors"]
            },
        ]
        writer.submit(writes, durable: true)
        // The caller is not held while the batch waits at the gate, and nothing is committed yet.
        #expect(!readable(writer.readFD, within: 0.2))
        #expect(none(writer.takeOutcome()))
        #expect(try store.events(afterID: 0, limit: 10).filter { $0.kind == "test" }.isEmpty)
        gate.signal()
        #expect(readable(writer.readFD, within: 10))
        guard case .committed(let files)? = writer.takeOutcome() else {
            Issue.record("the batch did not commit")
            return
        }
        #expect(files == ["checkpoints/a/epoch-1.safetensors", "checkpoints/b/epoch-1.safetensors"])
        #expect(try store.events(afterID: 0, limit: 10).filter { $0.kind == "test" }.map(\.message) == ["one", "two"])
        let writerThread = try #require(ranOn.withLock { $0 })
        #expect(pthread_equal(writerThread, pthread_self()) == 0)
        // Taken once; the next batch may go.
        #expect(none(writer.takeOutcome()))
        writer.submit([StoreWriter.Write(what: "third") { tx in
            try tx.appendEvent(kind: "test", message: "three")
            return []
        }], durable: false)
        guard case .committed? = writer.waitForOutcome() else {
            Issue.record("the second batch did not commit")
            return
        }
        #expect(try store.events(afterID: 0, limit: 10).filter { $0.kind == "test" }.count == 3)
    }

    @Test func aBatchWithAFailingWriteLeavesNothingBehind() throws {
        let (store, folder) = try store()
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = StoreWriter(store: store)
        defer { writer.close() }
        struct Refused: Error {}
        writer.submit([
            StoreWriter.Write(what: "kept only with the rest") { tx in
                try tx.appendEvent(kind: "test", message: "rolled back")
                return ["checkpoints/a/epoch-1.safetensors"]
            },
            StoreWriter.Write(what: "refused") { _ in throw Refused() },
        ], durable: true)
        guard case .failed(let error)? = writer.waitForOutcome() else {
            Issue.record("a batch with a failing write committed")
            return
        }
        #expect(error is Refused)
        #expect(try store.events(afterID: 0, limit: 10).filter { $0.kind == "test" }.isEmpty)
        // Nothing in flight: waiting returns at once with no outcome.
        #expect(none(writer.waitForOutcome()))
    }
}
