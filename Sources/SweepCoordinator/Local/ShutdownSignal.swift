import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT/SIGTERM as a flag plus a pipe a poll loop can wait on. The first signal asks for a
/// graceful stop; a second one makes `isForced` true (the owner may then skip waiting).
public final class ShutdownSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var sources: [DispatchSourceSignal] = []
    /// Becomes readable when a signal arrives; register it with the poller.
    public let readFD: Int32
    private let writeFD: Int32
    public private(set) var lastSignal: Int32 = 0

    public init(signals: [Int32] = [SIGINT, SIGTERM]) {
        var fds: [Int32] = [0, 0]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        readFD = fds[0]
        writeFD = fds[1]
        if readFD >= 0 { _ = fcntl(readFD, F_SETFL, fcntl(readFD, F_GETFL) | O_NONBLOCK) }
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.fire(number) }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
        if readFD >= 0 { close(readFD) }
        if writeFD >= 0 { close(writeFD) }
    }

    private func fire(_ number: Int32) {
        lock.lock()
        count += 1
        lastSignal = number
        lock.unlock()
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Asks for shutdown from code (tests, or the run ending).
    public func request() { fire(0) }

    public var isRequested: Bool { lock.lock(); defer { lock.unlock() }; return count > 0 }
    public var isForced: Bool { lock.lock(); defer { lock.unlock() }; return count > 1 }

    /// Empties the pipe after the poller reported it readable.
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buffer, 64) > 0 {}
    }
}
