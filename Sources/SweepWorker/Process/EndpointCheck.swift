import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks a coordinator endpoint before the worker connects: libzmq would otherwise retry a
/// malformed address (`tcp://head:`) or a host name nobody can resolve forever, in the background.
public enum EndpointCheck {
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let endpoint: String
        public let problem: String
        public var description: String { "coordinator endpoint \(endpoint.debugDescription) \(problem)" }
    }

    /// Accepts `tcp://HOST:PORT` (HOST a name or address, `[v6]` bracketed; PORT 1-65535; HOST
    /// must resolve) and `ipc://PATH`.
    public static func validate(_ endpoint: String, resolve: (String) -> String? = resolveError) throws(Invalid) {
        func invalid(_ problem: String) -> Invalid { Invalid(endpoint: endpoint, problem: problem) }
        if endpoint.hasPrefix("ipc://") {
            guard endpoint.count > "ipc://".count else { throw invalid("has no socket path after ipc://") }
            return
        }
        guard endpoint.hasPrefix("tcp://") else { throw invalid("is not tcp://HOST:PORT or ipc://PATH") }
        let address = endpoint.dropFirst("tcp://".count)
        guard let colon = address.lastIndex(of: ":") else { throw invalid("has no :PORT") }
        var host = String(address[..<colon])
        let port = address[address.index(after: colon)...]
        guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber),
              let number = Int(port), (1...65535).contains(number) else {
            throw invalid("has port \(String(port).debugDescription); expected a number 1-65535")
        }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { throw invalid("has an unclosed [IPv6] address") }
            host = String(host.dropFirst().dropLast())
        }
        guard !host.isEmpty else { throw invalid("has no host before :\(port)") }
        guard host != "*" else { throw invalid("names no host to connect to (* is for binding)") }
        if let error = resolve(host) { throw invalid("has a host that does not resolve: \(host) (\(error))") }
    }

    /// nil when `host` resolves to an address; otherwise getaddrinfo's reason.
    public static func resolveError(_ host: String) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        if let result { freeaddrinfo(result) }
        return status == 0 ? nil : String(cString: gai_strerror(status))
    }
}
