/// Stable text for numbers in canonical JSON, so a trial id never depends on how a number was
/// written (`5`, `5.0`, `5e0`) or on which JSON encoder produced it.
public enum JSONNumberFormat {
    /// Integral values within ±10¹⁵ print as integers; everything else uses Swift's shortest
    /// round-trip representation (`0.002`, `1e-05`), which is the same on every platform.
    public static func canonical(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    /// Canonical text of a number literal.
    public static func canonical(literal: String) -> String {
        if !literal.contains(where: { ".eE".contains($0) }), let integer = Int(literal) { return String(integer) }
        guard let value = Double(literal) else { return literal }
        return canonical(value)
    }
}
