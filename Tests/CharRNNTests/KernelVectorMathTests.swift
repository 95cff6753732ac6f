import CharRNN
import Foundation
import Testing

/// The SIMD exp/sigmoid/tanh against double-precision libm over a dense range and the edge cases
/// (±100, ±0, tiny, subnormal results, ±inf, NaN), and the in-place/tail paths.
@Suite struct KernelVectorMathTests {
    typealias Function = (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void

    /// -100...100 in steps of 1/1024 plus values that stress range reduction and limits.
    static let inputs: [Float] = {
        var xs = (-102_400...102_400).map { Float($0) / 1024 }
        xs += [0, -0.0, 1e-30, -1e-30, .leastNonzeroMagnitude, -.leastNormalMagnitude, 0.625, -0.625,
               0.6249999, 88.72, 88.73, 89, -87.33, -87.34, -95.5, -103.2, -103.3, -104, -120, 150, -150,
               .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        return xs
    }()

    func apply(_ f: Function, _ xs: [Float]) -> [Float] {
        var ys = [Float](repeating: .nan, count: xs.count)
        xs.withUnsafeBufferPointer { x in ys.withUnsafeMutableBufferPointer { y in f(x.baseAddress!, y.baseAddress!, xs.count) } }
        return ys
    }

    @Test func expIsWithinTwoHundredNanosRelative() {
        let ys = apply({ VectorMath.exp($0, $1, count: $2) }, Self.inputs)
        var worst = 0.0, worstX: Float = 0
        for (x, y) in zip(Self.inputs, ys) {
            let exact = Foundation.exp(Double(x))
            if exact > Double(Float.greatestFiniteMagnitude) * (1 + 1e-8) {
                #expect(y == .infinity, "exp(\(x)) = \(y), expected inf")
            } else if exact >= Double(Float.leastNormalMagnitude) {
                let error = abs(Double(y) - exact) / exact
                if error > worst { worst = error; worstX = x }
            } else {
                // Subnormal range: within one subnormal step of the exact value.
                #expect(abs(Double(y) - exact) <= Double(Float.leastNonzeroMagnitude), "exp(\(x)) = \(y) vs \(exact)")
            }
        }
        #expect(worst <= 2e-7, "exp: largest relative error \(worst) at x = \(worstX)")
    }

    @Test func sigmoidIsWithinOneHundredFiftyNanosAbsolute() {
        let ys = apply({ VectorMath.sigmoid($0, $1, count: $2) }, Self.inputs)
        let worst = largestAbsoluteError(ys) { 1 / (1 + Foundation.exp(-$0)) }
        #expect(worst.error <= 1.5e-7, "sigmoid: largest error \(worst.error) at x = \(worst.x)")
    }

    @Test func tanhIsWithinOneHundredFiftyNanosAbsolute() {
        let ys = apply({ VectorMath.tanh($0, $1, count: $2) }, Self.inputs)
        let worst = largestAbsoluteError(ys) { Foundation.tanh($0) }
        #expect(worst.error <= 1.5e-7, "tanh: largest error \(worst.error) at x = \(worst.x)")
    }

    @Test func limitsAndNaN() {
        let xs: [Float] = [.nan, .infinity, -.infinity, 100, -100, 1000, -1000, -.nan]
        let e = apply({ VectorMath.exp($0, $1, count: $2) }, xs)
        let s = apply({ VectorMath.sigmoid($0, $1, count: $2) }, xs)
        let t = apply({ VectorMath.tanh($0, $1, count: $2) }, xs)
        #expect(e[0].isNaN && s[0].isNaN && t[0].isNaN && e[7].isNaN && s[7].isNaN && t[7].isNaN)
        #expect(e[1] == .infinity && e[2] == 0 && e[3] == .infinity && e[4] == Float(Foundation.exp(-100.0)))
        #expect(s[1] == 1 && s[2] == 0 && s[3] == 1 && s[4] < 1e-30 && s[5] == 1 && s[6] == 0)
        #expect(t[1] == 1 && t[2] == -1 && t[3] == 1 && t[4] == -1 && t[5] == 1 && t[6] == -1)
    }

    @Test(arguments: [1, 7, 8, 9, 15, 16, 17, 100])
    func inPlaceAndTailMatchOutOfPlace(count: Int) {
        let xs = randomMatrix(count: count, seed: UInt64(count)).map { $0 * 12 }
        for f in [VectorMath.exp, VectorMath.sigmoid, VectorMath.tanh] as [Function] {
            let outOfPlace = apply(f, xs)
            var inPlace = xs + [42]  // a sentinel after the end must survive
            inPlace.withUnsafeMutableBufferPointer { f($0.baseAddress!, $0.baseAddress!, count) }
            #expect(Array(inPlace.prefix(count)) == outOfPlace)
            #expect(inPlace[count] == 42)
        }
    }

    @Test func referencesAgreeWithFastPaths() {
        let xs = stride(from: Float(-30), through: 30, by: 0.37).map { $0 }
        let pairs: [(Function, Function, Float)] = [
            ({ VectorMath.exp($0, $1, count: $2) }, { VectorMath.referenceExp($0, $1, count: $2) }, 3e-7),
            ({ VectorMath.sigmoid($0, $1, count: $2) }, { VectorMath.referenceSigmoid($0, $1, count: $2) }, 3e-7),
            ({ VectorMath.tanh($0, $1, count: $2) }, { VectorMath.referenceTanh($0, $1, count: $2) }, 3e-7),
        ]
        for (fast, slow, tolerance) in pairs {
            for (a, b) in zip(apply(fast, xs), apply(slow, xs)) {
                #expect(abs(a - b) <= tolerance * max(1, abs(b)))
            }
        }
    }

    func largestAbsoluteError(_ ys: [Float], exact: (Double) -> Double) -> (error: Double, x: Float) {
        var worst = (error: 0.0, x: Float(0))
        for (x, y) in zip(Self.inputs, ys) {
            let error = abs(Double(y) - exact(Double(x)))
            if !(error <= worst.error) { worst = (error, x) }
        }
        return worst
    }
}
