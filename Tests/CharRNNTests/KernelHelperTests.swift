import CharRNN
import Foundation
import Testing

/// The fused helpers around GEMM, on strided rows, against plain Double loops.
@Suite struct KernelHelperTests {
    @Test func addBiasBroadcastsOverRowsAndSkipsPadding() {
        var y: [Float] = [1, 2, 3, -1, 10, 20, 30, -1]
        let bias: [Float] = [0.5, -1, 2]
        y.withUnsafeMutableBufferPointer { VectorMath.add(bias: bias, to: $0.baseAddress!, rows: 2, columns: 3, stride: 4) }
        #expect(y == [1.5, 1, 5, -1, 10.5, 19, 32, -1])
    }

    @Test func columnSumsAccumulate() {
        let x: [Float] = [1, 2, 99, 3, 4, 99, 5, 6, 99]
        var sums: [Float] = [10, 20]
        VectorMath.addColumnSums(of: x, rows: 3, columns: 2, stride: 3, into: &sums)
        #expect(sums == [19, 32])
    }

    @Test func axpyAddsScaledVector() {
        let x = randomMatrix(count: 37, seed: 5)
        var y = randomMatrix(count: 37, seed: 6)
        let expected = zip(x, y).map { $1 + -0.75 * $0 }
        VectorMath.axpy(alpha: -0.75, x, &y, count: 37)
        for (a, b) in zip(y, expected) { #expect(abs(a - b) <= 1e-6) }
    }

    @Test(arguments: [0, 1, 7, 8, 4095, 4096, 4103, 100_003])
    func sumOfSquaresMatchesDouble(count: Int) {
        let x = randomMatrix(count: count, seed: UInt64(count) + 9)
        let exact = x.reduce(0.0) { $0 + Double($1) * Double($1) }
        let fast = Double(VectorMath.sumOfSquares(x, count: count))
        #expect(abs(fast - exact) <= 1e-6 * max(1, exact), "count \(count): \(fast) vs \(exact)")
    }

    @Test func sumOfSquaresPropagatesNaN() {
        let x: [Float] = [1, 2, .nan, 4, 5, 6, 7, 8, 9]
        #expect(VectorMath.sumOfSquares(x, count: x.count).isNaN)
    }

    @Test func softmaxRowsMatchesDoubleAndReportsLogSumExp() {
        let rows = 5, columns = 65, stride = 70
        var x = randomMatrix(count: rows * stride, seed: 3).map { $0 * 30 }
        x[2 * stride + 4] = 500  // large logits must not overflow
        var y = [Float](repeating: 0, count: rows * stride)
        var lse = [Float](repeating: 0, count: rows)
        VectorMath.softmaxRows(x, &y, rows: rows, columns: columns, strideX: stride, strideY: stride, logSumExp: &lse)
        for i in 0..<rows {
            let row = (0..<columns).map { Double(x[i * stride + $0]) }
            let m = row.max()!
            let sum = row.reduce(0) { $0 + Foundation.exp($1 - m) }
            #expect(abs(Double(lse[i]) - (m + Foundation.log(sum))) <= 1e-5 * max(1, abs(m)))
            for j in 0..<columns {
                let p = Foundation.exp(row[j] - m) / sum
                #expect(abs(Double(y[i * stride + j]) - p) <= 1e-6, "row \(i) col \(j)")
            }
        }
    }

    @Test func softmaxInPlaceAndNaNRow() {
        var x: [Float] = [1, 2, 3, .nan, 0, 0]
        x.withUnsafeMutableBufferPointer {
            VectorMath.softmaxRows($0.baseAddress!, $0.baseAddress!, rows: 2, columns: 3, strideX: 3, strideY: 3)
        }
        let e = [1, 2, 3].map { Foundation.exp(Double($0) - 3) }
        for j in 0..<3 { #expect(abs(Double(x[j]) - e[j] / e.reduce(0, +)) <= 1e-6) }
        #expect(x[3...].allSatisfy { $0.isNaN })
    }
}
