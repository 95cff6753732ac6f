import Foundation

/// A text progress bar and the short numbers next to it, for terminals and `coordinator status`.
public enum ProgressBar {
    /// `[#######-------]` `width` cells wide; an unknown fraction is all dashes.
    public static func bar(_ fraction: Double?, width: Int = 20) -> String {
        let f = fraction.map { $0.isFinite ? min(1, max(0, $0)) : 0 } ?? 0
        let filled = Int((f * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: max(0, width - filled)) + "]"
    }

    /// `95.1k tok/s`, `1.20M tok/s`, `850 tok/s`.
    /// A trial's thread count as views show it: ` ×2`, nothing for one thread or an unknown count.
    public static func threads(_ count: Int?) -> String {
        guard let count, count > 1 else { return "" }
        return " ×\(count)"
    }

    public static func rate(_ tokensPerSecond: Double) -> String {
        guard tokensPerSecond.isFinite, tokensPerSecond >= 0 else { return "? tok/s" }
        if tokensPerSecond >= 1e6 { return String(format: "%.2fM tok/s", tokensPerSecond / 1e6) }
        if tokensPerSecond >= 1e3 { return String(format: "%.1fk tok/s", tokensPerSecond / 1e3) }
        return String(format: "%.0f tok/s", tokensPerSecond)
    }

    /// `37%`.
    public static func percent(_ fraction: Double) -> String {
        "\(Int((min(1, max(0, fraction.isFinite ? fraction : 0)) * 100).rounded(.down)))%"
    }
}
