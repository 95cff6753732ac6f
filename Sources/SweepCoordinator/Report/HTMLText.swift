import Foundation
import SystemSupport

/// Escaping and number formatting for the report. Every text a peer or a model produced (trial
/// ids, grid values, samples, messages) goes through `escape` before it reaches the page.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Rounded for reading; results.csv keeps full precision.
    static func fixed(_ value: Double?, _ digits: Int) -> String {
        guard let value, value.isFinite else { return "—" }
        return FixedPointText.string(value, places: digits)
    }

    static func percent(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite else { return "—" }
        return String(format: "%.1f%%", fraction * 100)
    }

    /// 1234 → "1.2k", 2_500_000 → "2.5M".
    static func compact(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        let size = abs(value)
        if size >= 1e9 { return String(format: "%.1fG", value / 1e9) }
        if size >= 1e6 { return String(format: "%.1fM", value / 1e6) }
        if size >= 1e3 { return String(format: "%.1fk", value / 1e3) }
        // Three significant digits, so 0.05 s of training does not read as 0.
        return String(format: "%.3g", value)
    }

    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "—" }
        if seconds < 1 { return String(format: "%.2f s", seconds) }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%dm %02ds", whole / 60, whole % 60) }
        return String(format: "%dh %02dm", whole / 3600, (whole % 3600) / 60)
    }

    /// Coordinates in SVG attributes: one decimal, and never "nan". Written without `String(format:)`,
    /// which dominated the cost of a report of thousands of curves.
    static func coord(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        guard abs(value) < 1e15 else { return String(format: "%.1f", value) }
        let tenths = Int((value * 10).rounded(.toNearestOrEven))
        let whole = tenths / 10
        return (value < 0 && whole == 0 ? "-" : "") + "\(whole).\(abs(tenths % 10))"
    }
}
