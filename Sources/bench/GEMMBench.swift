import ArgumentParser
import CharRNN

/// GFLOP/s of `GEMM.run` (and optionally the naive reference) on the shapes a training step uses.
struct GEMMBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm", abstract: "GEMM ceiling: GFLOP/s of GEMM.run on RNN-step and batched shapes.")

    @Option(help: "Seconds to time each shape (after a warm-up of a quarter of that).")
    var seconds: Double = 0.5

    @Flag(help: "Also time the naive reference (slow).")
    var reference = false

    @Flag(help: "Also time GEMM.run(packedB:) with op(B) packed once outside the timed loop.")
    var prepacked = false

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    @Option(help: "Time only this shape, given as m,n,k[,tA][,tB] (tA/tB mark transposed operands).")
    var shape: String?

    struct Shape {
        let label: String, transA: Bool, transB: Bool, m: Int, n: Int, k: Int
    }

    /// Forward (x·Wᵀ, PyTorch layout [4H, H]), the two backward products, and batched projections.
    static func shapes() -> [Shape] {
        var list: [Shape] = []
        for h in [128, 256, 512] {
            for (cell, g) in [("lstm", 4), ("gru", 3)] {
                list.append(Shape(label: "\(cell) H=\(h) step fwd  h·Wᵀ", transA: false, transB: true, m: 128, n: g * h, k: h))
                list.append(Shape(label: "\(cell) H=\(h) step dX   dG·W", transA: false, transB: false, m: 128, n: h, k: g * h))
                list.append(Shape(label: "\(cell) H=\(h) step dW  dGᵀ·h", transA: true, transB: false, m: g * h, n: h, k: 128))
            }
        }
        for (h, l) in [(128, 50), (256, 50), (512, 20)] {
            list.append(Shape(label: "lstm H=\(h) batched B*L=\(128 * l) x·Wᵀ", transA: false, transB: true, m: 128 * l, n: 4 * h, k: h))
        }
        list.append(Shape(label: "square 1024³ (NN)", transA: false, transB: false, m: 1024, n: 1024, k: 1024))
        return list
    }

    func selectedShapes() throws -> [Shape] {
        guard let shape else { return Self.shapes() }
        let parts = shape.split(separator: ",").map(String.init)
        let sizes = parts.prefix(3).compactMap { Int($0) }
        let flags = Set(parts.dropFirst(3))
        guard sizes.count == 3, sizes.allSatisfy({ $0 > 0 }), flags.isSubset(of: ["tA", "tB"]) else {
            throw ValidationError("--shape: expected m,n,k[,tA][,tB] with positive sizes, got '\(shape)'")
        }
        return [Shape(label: "custom", transA: flags.contains("tA"), transB: flags.contains("tB"),
                      m: sizes[0], n: sizes[1], k: sizes[2])]
    }

    func run() throws {
        if !json {
            print("GFLOP/s = 2·m·n·k per second; 'cpu' divides by this thread's CPU time, 'wall' by elapsed time.")
            let header = "shape".rightPad(40) + "     m     n     k      cpu     wall"
            print(header + (prepacked ? "  prepacked" : "") + (reference ? "  naive(cpu)" : ""))
        }
        for s in try selectedShapes() {
            let fast = measure(s, kernel: GEMM.run)
            let pre = prepacked ? measurePrepacked(s) : nil
            let slow = reference ? measure(s, maxSeconds: 0.3, kernel: GEMM.reference) : nil
            if json {
                var line = "{\"shape\":\"\(s.label)\",\"transA\":\(s.transA),\"transB\":\(s.transB),\"m\":\(s.m),\"n\":\(s.n),\"k\":\(s.k),\"gflops_cpu\":\(fmt(fast.cpu)),\"gflops_wall\":\(fmt(fast.wall))"
                if let pre { line += ",\"prepacked_gflops_cpu\":\(fmt(pre.cpu))" }
                if let slow { line += ",\"reference_gflops_cpu\":\(fmt(slow.cpu))" }
                print(line + "}")
            } else {
                let sizes: String = [s.m, s.n, s.k].map { String($0).leftPad(5) }.joined(separator: " ")
                var line: String = s.label.rightPad(40) + " " + sizes + "  " + fmt(fast.cpu).leftPad(8) + " " + fmt(fast.wall).leftPad(8)
                if let pre { line += "  " + fmt(pre.cpu).leftPad(9) }
                if let slow { line += "  " + fmt(slow.cpu).leftPad(10) }
                print(line)
            }
        }
    }

    typealias Kernel = (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                        Float, UnsafeMutablePointer<Float>, Int) -> Void

    /// GFLOP/s per wall second and per second of this thread's CPU time.
    struct Rate { let wall: Double, cpu: Double }

    /// Like `measure` for GEMM.run, but with op(B) packed once (as a layer would pack W_hh per sequence).
    func measurePrepacked(_ s: Shape) -> Rate {
        let b = UnsafeMutablePointer<Float>.allocate(capacity: s.k * s.n)
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: GEMM.packedBCount(k: s.k, n: s.n))
        defer { b.deallocate(); packed.deallocate() }
        for i in 0..<(s.k * s.n) { b[i] = Float(i % 13) * 0.01 - 0.06 }
        GEMM.packB(transB: s.transB, k: s.k, n: s.n, b: b, ldb: s.transB ? s.k : s.n, into: packed)
        return measure(s) { transA, _, m, n, k, alpha, a, lda, _, _, beta, c, ldc in
            GEMM.run(transA: transA, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, packedB: packed, beta: beta, c: c, ldc: ldc)
        }
    }

    func measure(_ s: Shape, maxSeconds: Double? = nil, kernel: Kernel) -> Rate {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: s.m * s.k)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: s.k * s.n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: s.m * s.n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<(s.m * s.k) { a[i] = Float(i % 17) * 0.01 - 0.08 }
        for i in 0..<(s.k * s.n) { b[i] = Float(i % 13) * 0.01 - 0.06 }
        c.initialize(repeating: 0, count: s.m * s.n)
        let lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n
        func call() { kernel(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n) }
        let budget = min(seconds, maxSeconds ?? seconds)
        let warmEnd = now() + budget / 4
        repeat { call() } while now() < warmEnd
        var calls = 0
        let start = now(), cpuStart = threadCPUTime()
        repeat { call(); calls += 1 } while now() - start < budget
        let wall = now() - start, cpu = threadCPUTime() - cpuStart
        let flops = 2 * Double(s.m) * Double(s.n) * Double(s.k) * Double(calls)
        return Rate(wall: flops / wall / 1e9, cpu: flops / cpu / 1e9)
    }
}

func fmt(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return String(r)
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
    func rightPad(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
