import SweepProtocol
import SweepTestSupport

/// The coordinator's side of one trial, turned by hand on the in-memory network: it answers HELLO,
/// the first READY (with an ASSIGN of `trial` under `lease`) and DATASET_REQUEST, and hands every
/// other message to the test.
final class ScriptedCoordinator {
    let lease = "0123456789abcdef0123456789abcdef"
    let trial: (id: String, config: TrialConfig)
    private let fixture: SweepFixture
    private let router: InMemoryRouter
    private let codec = Codec()
    private var identity: [UInt8] = []
    private var assigned = false

    init(network: InMemoryNetwork, fixture: SweepFixture, trial: (id: String, config: TrialConfig)) {
        router = network.router()
        self.fixture = fixture
        self.trial = trial
    }

    func reply(_ message: Message) throws { try router.send(codec.encode(message, to: identity)) }

    /// Reads everything the worker sent so far.
    func receive(_ handle: (Message) throws -> Void) throws {
        while let frames = router.receive() {
            let (from, message) = try codec.decode(routedFrames: frames)
            identity = from
            switch message {
            case .hello: try reply(.welcome(Welcome(coordinatorId: "test")))
            case .ready where !assigned:
                assigned = true
                try reply(.assign(Assign(trialId: trial.id, trialNumber: 1, attempt: 1, leaseId: lease, leaseSeconds: 30,
                                         config: trial.config, seed: 1,
                                         dataset: DatasetRef(name: "text", sha256: fixture.datasetSHA256,
                                                             bytes: fixture.datasetBytes.count)), checkpoint: nil))
            case .datasetRequest: try reply(.dataset(sha256: fixture.datasetSHA256, bytes: fixture.datasetBytes))
            default: try handle(message)
            }
        }
    }

    /// The coordinator's side of liveness: without it the worker would reconnect after 5 s.
    func heartbeat() throws {
        if !identity.isEmpty { try reply(.heartbeat) }
    }
}
