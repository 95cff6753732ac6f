import Foundation
import SystemSupport

/// How one search key draws its value (docs/sweep-file.md, "search").
enum Distribution: Sendable, Equatable {
    /// One of the listed values, each equally likely.
    case choice([JSONValue])
    /// A number uniform in [low, high].
    case uniform(Double, Double)
    /// A positive number whose logarithm is uniform in [log low, log high].
    case logUniform(Double, Double)
    /// An integer uniform in low...high.
    case int(Int, Int)
    /// Log-uniform in [low, high], rounded to a multiple of `step` (an integer when all three are).
    case quantizedLogUniform(Double, Double, step: Double)

    static let names = ["choice", "uniform", "loguniform", "int", "qloguniform"]

    /// The value for a uniform `unit` in [0, 1). Numbers keep 6 significant digits, so a sample is
    /// the same on every machine even where `exp` and `log` differ in their last bit.
    func value(unit: Double) -> JSONValue {
        switch self {
        case .choice(let values):
            return values[min(values.count - 1, Int(unit * Double(values.count)))]
        case .uniform(let low, let high):
            return .init(Self.rounded(min(high, max(low, low + unit * (high - low)))))
        case .logUniform(let low, let high):
            return .init(Self.rounded(min(high, max(low, Self.logUniform(low, high, unit)))))
        case .int(let low, let high):
            let span = Double(high) - Double(low) + 1
            return .init(low + min(Int(span) - 1, Int(unit * span)))
        case .quantizedLogUniform(let low, let high, let step):
            let raw = Self.logUniform(low, high, unit)
            var steps = (raw / step).rounded()
            // Stay inside the bounds: round towards them when the nearest multiple lies outside.
            if steps * step > high { steps = (high / step).rounded(.down) }
            if steps * step < low { steps = (low / step).rounded(.up) }
            let value = steps * step
            if isIntegral, let exact = Int(exactly: value) { return .init(exact) }
            return .init(Self.rounded(value))
        }
    }

    /// Whether every value it draws is an integer.
    var isIntegral: Bool {
        switch self {
        case .int: true
        case .quantizedLogUniform(let low, let high, let step):
            [low, high, step].allSatisfy { $0 == $0.rounded() && abs($0) < 1e15 }
        case .choice, .uniform, .logUniform: false
        }
    }

    /// The extreme values it can draw, to check against the key's own rule.
    var bounds: [JSONValue] {
        switch self {
        case .choice(let values): values
        case .uniform(let low, let high), .logUniform(let low, let high): [.init(low), .init(high)]
        case .int(let low, let high): [.init(low), .init(high)]
        case .quantizedLogUniform:
            [value(unit: 0), value(unit: 0.999_999_999_999)]
        }
    }

    private static func logUniform(_ low: Double, _ high: Double, _ unit: Double) -> Double {
        exp(log(low) + unit * (log(high) - log(low)))
    }

    private static func rounded(_ value: Double) -> Double {
        Double(String(format: "%.6g", value)) ?? value
    }
}
