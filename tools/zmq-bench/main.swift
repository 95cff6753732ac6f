// zmq-bench: PUSH->PULL throughput between two threads of one process, through the ZeroMQ
// wrapper and through raw libzmq C calls, over tcp and ipc. Best of `--repeat` runs each.
// Usage: swift run -c release zmq-bench [--small-count N] [--large-count N] [--repeat N]
import CZeroMQ
import Foundation
import ZeroMQ

enum Path: String, CaseIterable {
    case raw = "raw C: zmq_send / zmq_msg_recv"
    case wrapperFrames = "wrapper: send([UInt8]) / receiveFrames()"
    case wrapperCopy = "wrapper: send([UInt8]) / receive() copying"
    case wrapperBuffer = "wrapper: send([UInt8]) / receive(into:) buffer"
    case wrapperMultipart = "wrapper: send(bytes) / receive(into: &MultipartBuffer)"
}

struct Options {
    var smallCount = 1_000_000
    var largeCount = 1_000
    var repeats = 3
    /// Restricts the run to one path (1 raw, 2 frames, 3 copying, 4 buffer, 5 multipart), for profiling.
    var only: Int?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next().flatMap({ Int($0) }), value > 0 else {
                FileHandle.standardError.write(Data("zmq-bench: \(flag) needs a positive integer\n".utf8))
                exit(2)
            }
            switch flag {
            case "--small-count": smallCount = value
            case "--large-count": largeCount = value
            case "--repeat": repeats = value
            case "--only": only = value - 1
            default:
                FileHandle.standardError.write(Data("zmq-bench: unknown option \(flag)\n".utf8))
                exit(2)
            }
        }
    }
}

final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

struct BenchError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Receives `count` messages on a PULL bound to `endpoint`, by `path`.
func receiveAll(_ pull: Socket, path: Path, count: Int) throws -> Int {
    var n = 0
    var checksum = 0
    switch path {
    case .raw:
        let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        zmq_msg_init(message)
        let handle = pull.rawHandle
        while n < count {
            if zmq_msg_recv(message, handle, 0) < 0 { continue }
            let first: UInt8 = zmq_msg_data(message)!.load(as: UInt8.self)
            checksum &+= Int(first)
            n += 1
        }
        zmq_msg_close(message)
        message.deallocate()
    case .wrapperFrames:
        while n < count, let frames = try pull.receiveFrames() {
            let first: UInt8 = frames[0].withUnsafeBytes { $0[0] }
            checksum &+= Int(first)
            n += 1
        }
    case .wrapperCopy:
        while n < count, let parts = try pull.receive() {
            checksum &+= Int(parts[0][0])
            n += 1
        }
    case .wrapperBuffer:
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while n < count, try pull.receive(into: buffer) != nil {
            checksum &+= Int(buffer[0])
            n += 1
        }
    case .wrapperMultipart:
        var message = MultipartBuffer()
        while n < count, try pull.receive(into: &message) {
            let first: UInt8 = message.withUnsafeBytes(ofPart: 0) { $0[0] }
            checksum &+= Int(first)
            n += 1
        }
    }
    return checksum == Int.min ? 0 : n
}

/// Sends `count` copies of `payload` by `path`'s send style.
func sendAll(_ socket: Socket, path: Path, payload: [UInt8], count: Int) throws {
    switch path {
    case .raw:
        let handle = socket.rawHandle
        payload.withUnsafeBytes { bytes in
            for _ in 0..<count { _ = zmq_send(handle, bytes.baseAddress, bytes.count, 0) }
        }
    case .wrapperMultipart:
        try payload.withUnsafeBytes { bytes in
            for _ in 0..<count { try socket.send(bytes) }
        }
    default:
        for _ in 0..<count { try socket.send(payload) }
    }
}

/// CPU seconds (user + system) used so far by every thread of this process, libzmq's included.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

struct Measurement {
    var wall: Double
    var cpu: Double
}

/// One transfer of `count` messages of `size` bytes: wall seconds from the first send to the last
/// receive, and the process CPU seconds spent meanwhile (robust against other load on the machine).
func transfer(path: Path, endpoint: String, size: Int, count: Int) throws -> Measurement {
    let context = try Context()
    let bound = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)
    let resolved = Box("")
    let received = Box(0)
    let failure = Box<String?>(nil)
    let receiver = Thread {
        do {
            let pull = try Socket(context, .pull, options: [.linger(milliseconds: 0)])
            try pull.bind(endpoint)
            resolved.value = try pull.lastEndpoint()
            bound.signal()
            received.value = try receiveAll(pull, path: path, count: count)
            pull.close()
        } catch {
            failure.value = "\(error)"
            bound.signal()
        }
        done.signal()
    }
    receiver.start()
    bound.wait()
    if let message = failure.value { throw BenchError(message: message) }

    let push = try Socket(context, .push, options: [.linger(milliseconds: 1000)])
    try push.connect(resolved.value)
    let payload = [UInt8](repeating: 0x5A, count: size)
    let start = Date()
    let startCPU = processCPUSeconds()
    try sendAll(push, path: path, payload: payload, count: count)
    done.wait()
    let seconds = Date().timeIntervalSince(start)
    let cpu = processCPUSeconds() - startCPU
    push.close()
    context.terminate()
    if let message = failure.value { throw BenchError(message: message) }
    if received.value != count { throw BenchError(message: "received \(received.value) of \(count)") }
    return Measurement(wall: seconds, cpu: cpu)
}

func formatted(_ value: Double, decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

func relative(_ value: Double, to base: Double) -> String {
    let percent: Double = (value / base - 1) * 100
    return " (" + String(format: "%+.1f", percent) + " %)"
}

/// Per-call cost without thread wake-ups: on one thread, fill an inproc PAIR's queue (no
/// high-water mark) with `count` 64 B sends, then drain it. Returns ns per send and per receive.
func perCallCost(path: Path, count: Int) throws -> (send: Double, receive: Double) {
    let context = try Context()
    let a = try Socket(context, .pair, options: [.sendHighWaterMark(0), .receiveHighWaterMark(0), .linger(milliseconds: 0)])
    let b = try Socket(context, .pair, options: [.sendHighWaterMark(0), .receiveHighWaterMark(0), .linger(milliseconds: 0)])
    try b.bind("inproc://per-call")
    try a.connect("inproc://per-call")
    let payload = [UInt8](repeating: 0x5A, count: 64)
    var start = DispatchTime.now().uptimeNanoseconds
    try sendAll(a, path: path, payload: payload, count: count)
    let send = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(count)
    start = DispatchTime.now().uptimeNanoseconds
    let received = try receiveAll(b, path: path, count: count)
    let receive = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(count)
    a.close()
    b.close()
    context.terminate()
    if received != count { throw BenchError(message: "received \(received) of \(count)") }
    return (send, receive)
}

@main
struct ZMQBench {
    static func main() throws {
        let options = Options(CommandLine.arguments)
        let version = Context.version
        print("libzmq \(version.major).\(version.minor).\(version.patch), \(ProcessInfo.processInfo.activeProcessorCount) cores, best of \(options.repeats)")
        print("throughput = messages / wall time; CPU = process CPU time (all threads) per message, lower is better")
        print("")
        print("| transport | path | 64 B pipelined: k msg/s | 64 B: CPU ns/msg | 1 MiB frames: MiB/s | 1 MiB: CPU µs/MiB |")
        print("|---|---|---|---|---|---|")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zmq-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for transport in ["tcp", "ipc"] {
            let endpoint = transport == "tcp" ? "tcp://127.0.0.1:*" : "ipc://" + directory.path + "/bench"
            var smallRate: [Path: Double] = [:], largeRate: [Path: Double] = [:]
            var smallCPU: [Path: Double] = [:], largeCPU: [Path: Double] = [:]
            // Interleave the paths within each repeat so machine noise hits all of them alike.
            for _ in 0..<options.repeats {
                for (index, path) in Path.allCases.enumerated() where options.only == nil || options.only == index {
                    let small = try transfer(path: path, endpoint: endpoint, size: 64, count: options.smallCount)
                    let large = try transfer(path: path, endpoint: endpoint, size: 1 << 20, count: options.largeCount)
                    let smallCount = Double(options.smallCount), largeCount = Double(options.largeCount)
                    smallRate[path] = max(smallRate[path] ?? 0, smallCount / small.wall)
                    largeRate[path] = max(largeRate[path] ?? 0, largeCount / large.wall)
                    smallCPU[path] = min(smallCPU[path] ?? .infinity, small.cpu / smallCount * 1e9)
                    largeCPU[path] = min(largeCPU[path] ?? .infinity, large.cpu / largeCount * 1e6)
                }
            }
            for path in Path.allCases {
                var columns: [String] = []
                for (table, scale, decimals) in [(smallRate, 1e-3, 0), (smallCPU, 1.0, 0), (largeRate, 1.0, 0), (largeCPU, 1.0, 0)] {
                    let value = table[path] ?? 0
                    var text = formatted(value * scale, decimals: decimals)
                    if path != .raw { text += relative(value, to: table[.raw] ?? 1) }
                    columns.append(text)
                }
                print("| \(transport) | \(path.rawValue) | " + columns.joined(separator: " | ") + " |")
            }
        }
        print("")
        print("Per-call cost, one thread, inproc queue pre-filled (no wake-ups), 64 B, best of \(options.repeats):")
        print("")
        print("| path | ns per send | ns per receive |")
        print("|---|---|---|")
        var bestSend: [Path: Double] = [:], bestReceive: [Path: Double] = [:]
        for _ in 0..<options.repeats {
            for (index, path) in Path.allCases.enumerated() where options.only == nil || options.only == index {
                let cost = try perCallCost(path: path, count: options.smallCount / 4)
                bestSend[path] = min(bestSend[path] ?? .infinity, cost.send)
                bestReceive[path] = min(bestReceive[path] ?? .infinity, cost.receive)
            }
        }
        for path in Path.allCases {
            var send = formatted(bestSend[path] ?? 0, decimals: 0)
            var receive = formatted(bestReceive[path] ?? 0, decimals: 0)
            if path != .raw {
                send += relative(bestSend[path] ?? 0, to: bestSend[.raw] ?? 1)
                receive += relative(bestReceive[path] ?? 0, to: bestReceive[.raw] ?? 1)
            }
            print("| \(path.rawValue) | \(send) | \(receive) |")
        }
    }
}
