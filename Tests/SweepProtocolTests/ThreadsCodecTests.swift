import Foundation
import SweepProtocol
import Testing

/// Elastic cores on the wire (SPEC.md §3.2): THREADS, HELLO's `cpus` and the `threads` of
/// PROGRESS and BATCH_PROGRESS, with each range they must respect.
struct ThreadsCodecTests {
    let codec = Codec()

    func decode(_ command: String, _ header: String) -> Result<Message, ProtocolError> {
        do { return .success(try codec.decode(frames: [Codec.magic, Array(command.utf8), Array(header.utf8)])) } catch {
            return .failure(error)
        }
    }

    func invalidField(_ result: Result<Message, ProtocolError>) -> String? {
        if case .failure(.invalidField(_, let field, _)) = result { return field }
        return nil
    }

    func threads(_ count: String, cpus: String) -> String {
        #"{"trial_id":"t","attempt":1,"lease_id":"l","threads":\#(count),"cpus":\#(cpus)}"#
    }

    @Test func threadsTravelsAsSnakeCaseKeys() throws {
        let message = Message.threads(ThreadChange(trialId: "t", attempt: 1, leaseId: "l", threads: 2, cpus: [3, 1]))
        let frames = codec.encode(message)
        #expect(frames[1] == Array("THREADS".utf8))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(frames[2])) as? [String: Any])
        #expect(Set(object.keys) == ["trial_id", "attempt", "lease_id", "threads", "cpus"])
        #expect(try decode("THREADS", threads("2", cpus: "[3,1]")).get() == message)
        #expect(try decode("THREADS", threads("256", cpus: "[]")).get()
            == .threads(ThreadChange(trialId: "t", attempt: 1, leaseId: "l", threads: 256, cpus: [])))
    }

    @Test func threadsRejectsEachValueOutOfRange() {
        #expect(invalidField(decode("THREADS", threads("0", cpus: "[]"))) == "threads")
        #expect(invalidField(decode("THREADS", threads("257", cpus: "[]"))) == "threads")
        #expect(invalidField(decode("THREADS", threads("2", cpus: "[0,0]"))) == "cpus[1]")
        #expect(invalidField(decode("THREADS", threads("1", cpus: "[1024]"))) == "cpus[0]")
        #expect(invalidField(decode("THREADS", threads("1", cpus: "[-1]"))) == "cpus[0]")
        #expect(invalidField(decode("THREADS", threads("3", cpus: "[0,1]"))) == "cpus")
        if case .failure(.missingField(.threads, "cpus")) = decode("THREADS", #"{"trial_id":"t","attempt":1,"lease_id":"l","threads":1}"#) {} else {
            Issue.record("THREADS without cpus decoded")
        }
        #expect(invalidField(decode("THREADS", #"{"trial_id":"","attempt":1,"lease_id":"l","threads":1,"cpus":[]}"#)) == "trial_id")
        #expect(invalidField(decode("THREADS", #"{"trial_id":"t","attempt":0,"lease_id":"l","threads":1,"cpus":[]}"#)) == "attempt")
    }

    @Test func helloCarriesItsCpusAndOlderHellosStillDecode() throws {
        let base = #""worker_id":"w","host":"h","cores":2,"build":"b","protocol_version":2"#
        #expect(try decode("HELLO", "{\(base),\"cpus\":[4,5]}").get()
            == .hello(Hello(workerId: "w", host: "h", cores: 2, build: "b", cpus: [4, 5])))
        #expect(try decode("HELLO", "{\(base)}").get() == .hello(Hello(workerId: "w", host: "h", cores: 2, build: "b")))
        #expect(invalidField(decode("HELLO", "{\(base),\"cpus\":[4,4]}")) == "cpus[1]")
        #expect(invalidField(decode("HELLO", "{\(base),\"cpus\":[5000]}")) == "cpus[0]")
        if case .success(let hello) = decode("HELLO", "{\(base),\"cpus\":[1.5]}") { Issue.record("cpus [1.5] decoded as \(hello)") }
    }

    @Test func reportsCarryTheirThreadCountWithinRange() throws {
        let batch = #""trial_id":"t","attempt":1,"lease_id":"l","epoch":1,"batch":1,"batches":2,"tokens":4,"tokens_per_second":1"#
        guard case .batchProgress(let p) = try decode("BATCH_PROGRESS", "{\(batch),\"threads\":2}").get() else {
            Issue.record("not a BATCH_PROGRESS"); return
        }
        #expect(p.threads == 2)
        guard case .batchProgress(let older) = try decode("BATCH_PROGRESS", "{\(batch)}").get() else {
            Issue.record("not a BATCH_PROGRESS"); return
        }
        #expect(older.threads == nil)
        #expect(invalidField(decode("BATCH_PROGRESS", "{\(batch),\"threads\":0}")) == "threads")
        #expect(invalidField(decode("BATCH_PROGRESS", "{\(batch),\"threads\":257}")) == "threads")
        let progress = #""trial_id":"t","attempt":1,"lease_id":"l","epoch":1,"train_loss":1,"train_accuracy":0.5,"val_loss":1,"val_accuracy":0.5,"val_perplexity":2.7,"seconds":1,"tokens_per_second":1"#
        guard case .progress(let r) = try decode("PROGRESS", "{\(progress),\"threads\":3}").get() else {
            Issue.record("not a PROGRESS"); return
        }
        #expect(r.threads == 3)
        #expect(invalidField(decode("PROGRESS", "{\(progress),\"threads\":-1}")) == "threads")
    }
}
