import ArgumentParser
import CharRNN
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds per element of the vectorized activations against their libm references.
struct MathBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "math", abstract: "ns/element of VectorMath exp/sigmoid/tanh vs scalar libm.")

    @Option(help: "Seconds to time each function.")
    var seconds: Double = 0.3

    @Option(help: "Elements per call (a [128, 4H] gate block at H=256 is 131072).")
    var count: Int = 16384

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    typealias Function = (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void

    func run() throws {
        guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
        let x = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { x.deallocate(); y.deallocate() }
        for i in 0..<count { x[i] = Float(i % 2001) / 100 - 10 }
        let functions: [(String, Function, Function, (Double) -> Double, Bool)] = [
            ("exp", { VectorMath.exp($0, $1, count: $2) }, { VectorMath.referenceExp($0, $1, count: $2) },
             { Glibc.exp($0) }, true),
            ("sigmoid", { VectorMath.sigmoid($0, $1, count: $2) }, { VectorMath.referenceSigmoid($0, $1, count: $2) },
             { 1 / (1 + Glibc.exp(-$0)) }, false),
            ("tanh", { VectorMath.tanh($0, $1, count: $2) }, { VectorMath.referenceTanh($0, $1, count: $2) },
             { Glibc.tanh($0) }, false),
        ]
        if !json {
            print("ns/elem per second of thread CPU time; max error vs double-precision libm on [-100, 100] step 2^-10")
            print("function   SIMD ns/elem   libm ns/elem   max error")
        }
        for (name, fast, slow, exact, relative) in functions {
            let f = nanosPerElement(fast, x, y), s = nanosPerElement(slow, x, y)
            let error = maxError(fast, exact: exact, relative: relative)
            let kind = relative ? "relative" : "absolute"
            if json {
                print("{\"function\":\"\(name)\",\"simd_ns_per_element\":\(fmt3(f)),\"libm_ns_per_element\":\(fmt3(s)),\"max_\(kind)_error\":\(error)}")
            } else {
                print(name.rightPad(10) + fmt3(f).leftPad(13) + fmt3(s).leftPad(15) + "   \(error) (\(kind))")
            }
        }
    }

    /// Largest error over a dense grid; relative error only where the exact result is a normal float.
    func maxError(_ f: Function, exact: (Double) -> Double, relative: Bool) -> Double {
        let xs = (-102_400...102_400).map { Float($0) / 1024 }
        var ys = [Float](repeating: 0, count: xs.count)
        xs.withUnsafeBufferPointer { xp in
            ys.withUnsafeMutableBufferPointer { yp in
                // Both arrays hold the whole (non-empty) grid, so both have addresses.
                guard let x = xp.baseAddress, let y = yp.baseAddress else { return }
                f(x, y, xs.count)
            }
        }
        var worst = 0.0
        for (x, y) in zip(xs, ys) {
            let e = exact(Double(x))
            if relative {
                if e >= Double(Float.leastNormalMagnitude) && e <= Double(Float.greatestFiniteMagnitude) {
                    worst = max(worst, abs(Double(y) - e) / e)
                }
            } else {
                worst = max(worst, abs(Double(y) - e))
            }
        }
        return worst
    }

    func nanosPerElement(_ f: Function, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) -> Double {
        let warmEnd = now() + seconds / 4
        repeat { f(x, y, count) } while now() < warmEnd
        var calls = 0
        let start = now(), cpuStart = threadCPUTime()
        repeat { f(x, y, count); calls += 1 } while now() - start < seconds
        return (threadCPUTime() - cpuStart) * 1e9 / Double(calls * count)
    }
}

func fmt3(_ x: Double) -> String { String((x * 1000).rounded() / 1000) }
