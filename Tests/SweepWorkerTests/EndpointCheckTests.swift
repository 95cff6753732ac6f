import Foundation
import Testing
import SweepWorker

@Suite struct EndpointCheckTests {
    /// Resolves only `head` and `localhost`, so the outcome does not depend on this machine's DNS.
    static let resolver: @Sendable (String) -> String? = { ["head", "localhost", "127.0.0.1", "::1", "10.0.0.5"].contains($0) ? nil : "Name or service not known" }

    @Test func wellFormedEndpointsPass() throws {
        for endpoint in ["tcp://head:5555", "tcp://127.0.0.1:1", "tcp://[::1]:65535", "tcp://10.0.0.5:5555", "ipc:///tmp/c.sock"] {
            try EndpointCheck.validate(endpoint, resolve: Self.resolver)
        }
    }

    @Test func malformedEndpointsAreNamedWithTheirProblem() {
        let cases: [(String, String)] = [
            ("tcp://127.0.0.1:", #"coordinator endpoint "tcp://127.0.0.1:" has port ""; expected a number 1-65535"#),
            ("tcp://head:0", #"coordinator endpoint "tcp://head:0" has port "0"; expected a number 1-65535"#),
            ("tcp://head:70000", #"coordinator endpoint "tcp://head:70000" has port "70000"; expected a number 1-65535"#),
            ("tcp://head:55a", #"coordinator endpoint "tcp://head:55a" has port "55a"; expected a number 1-65535"#),
            ("tcp://head", #"coordinator endpoint "tcp://head" has no :PORT"#),
            ("tcp://:5555", #"coordinator endpoint "tcp://:5555" has no host before :5555"#),
            ("tcp://*:5555", #"coordinator endpoint "tcp://*:5555" names no host to connect to (* is for binding)"#),
            ("tcp://[::1:5555", #"coordinator endpoint "tcp://[::1:5555" has an unclosed [IPv6] address"#),
            ("head:5555", #"coordinator endpoint "head:5555" is not tcp://HOST:PORT or ipc://PATH"#),
            ("inproc://x", #"coordinator endpoint "inproc://x" is not tcp://HOST:PORT or ipc://PATH"#),
            ("ipc://", #"coordinator endpoint "ipc://" has no socket path after ipc://"#),
            ("tcp://nowhere.invalid:5555", #"coordinator endpoint "tcp://nowhere.invalid:5555" has a host that does not resolve: nowhere.invalid (Name or service not known)"#),
        ]
        for (endpoint, message) in cases {
            let error = #expect(throws: EndpointCheck.Invalid.self) { try EndpointCheck.validate(endpoint, resolve: Self.resolver) }
            #expect(error?.description == message)
            #expect(error?.endpoint == endpoint)
        }
    }

    @Test func theSystemResolverKnowsLoopbackAndRejectsTheReservedInvalidDomain() {
        #expect(EndpointCheck.resolveError("127.0.0.1") == nil)
        #expect(EndpointCheck.resolveError("localhost") == nil)
        #expect(EndpointCheck.resolveError("no-such-host.invalid") != nil)
    }
}
