import Foundation

/// Numbers as fixed-point text ("%.4f") with integer arithmetic: `String(format:)` costs
/// microseconds a call, which the coordinator paid for every epoch's and result's event line.
public enum FixedPointText {
    /// `value` with `places` digits after the point, exactly as `String(format: "%.<places>f")`
    /// writes it (which it falls back to for values this cannot decide alone).
    public static func string(_ value: Double, places: Int) -> String {
        guard value.isFinite, powers.indices.contains(places) else { return String(format: "%.\(places)f", value) }
        let scaled = value.magnitude * powers[places]
        let whole = scaled.rounded(.down)
        let fraction = scaled - whole
        // The product is within half a unit in its last place of the exact one, far below 1e-3 while
        // it is below 2^40; only near a tie could that error flip the rounding printf does exactly.
        guard scaled < 0x1p40, abs(fraction - 0.5) > 1e-3 else { return String(format: "%.\(places)f", value) }
        var digits = UInt64(whole) + (fraction > 0.5 ? 1 : 0)
        var reversed: [UInt8] = []
        reversed.reserveCapacity(places + 22)
        for _ in 0..<places {
            reversed.append(UInt8(ascii: "0") + UInt8(digits % 10))
            digits /= 10
        }
        if places > 0 { reversed.append(UInt8(ascii: ".")) }
        repeat {
            reversed.append(UInt8(ascii: "0") + UInt8(digits % 10))
            digits /= 10
        } while digits > 0
        // printf keeps the sign of a negative value that rounds to zero ("-0.0000").
        if value.sign == .minus { reversed.append(UInt8(ascii: "-")) }
        return String(decoding: reversed.reversed(), as: UTF8.self)
    }

    private static let powers: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]
}
