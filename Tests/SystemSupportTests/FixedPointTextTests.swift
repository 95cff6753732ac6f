import Foundation
import SweepTestSupport
import SystemSupport
import Testing

@Suite struct FixedPointTextTests {
    @Test func textIsPrintfsForRandomValuesAndPlaces() {
        var random = SplitMix64(seed: 0x5EED)
        func next() -> UInt64 { random.next() }
        for _ in 0..<20_000 {
            let places = Int(next() % 10)
            // Magnitudes from 1e-6 to 1e9, both signs, and values on exact ties of a place.
            let magnitude = pow(10, Double(next() % 16) - 6) * Double(next() % 1_000_000) / 1_000_000
            let value = next() % 2 == 0 ? magnitude : -magnitude
            let tie = (Double(next() % 100_000) + 0.5) / pow(10, Double(places))
            for v in [value, tie, -tie] {
                #expect(FixedPointText.string(v, places: places) == String(format: "%.\(places)f", v), "\(v) \(places)")
            }
        }
    }

    @Test func edgesArePrintfs() {
        let values: [Double] = [0, -0.0, 0.00005, -0.00004, 0.5, 1.5, 2.5, 0.125, 9.99995, 1e12, -3e15, 0x1p40, .infinity, -.infinity, .nan,
                                .greatestFiniteMagnitude, .leastNonzeroMagnitude]
        for value in values {
            for places in [0, 1, 3, 4, 9, 12] {
                #expect(FixedPointText.string(value, places: places) == String(format: "%.\(places)f", value), "\(value) \(places)")
            }
        }
    }
}
