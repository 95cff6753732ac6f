import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A one-file HTTP/1.0 server on 127.0.0.1 (a real socket, no network) that answers every request
/// with `body`, so the download path can be tested offline.
final class LoopbackHTTPServer: Sendable {
    let port: UInt16
    private let socketFD: Int32
    private let served = Mutex(0)

    /// Requests answered so far.
    var requestCount: Int { served.withLock { $0 } }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    init(body: Data, status: String = "200 OK") throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { close(fd); throw POSIXError(.EADDRNOTAVAIL) }
        socketFD = fd
        port = UInt16(bigEndian: address.sin_port)
        let response = Data("HTTP/1.0 \(status)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body
        Thread.detachNewThread { [self] in serve(response) }
    }

    private func serve(_ response: Data) {
        while true {
            let client = accept(socketFD, nil, nil)
            guard client >= 0 else { return }
            // Read the request head; its content does not matter.
            var request = [UInt8](), buffer = [UInt8](repeating: 0, count: 4096)
            while !request.suffix(4).elementsEqual([13, 10, 13, 10]) {
                let count = read(client, &buffer, buffer.count)
                if count <= 0 { break }
                request += buffer[..<count]
            }
            response.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(client, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
            served.withLock { $0 += 1 }
            close(client)
        }
    }

    func stop() {
        shutdown(socketFD, Int32(SHUT_RDWR))
        close(socketFD)
    }
}
