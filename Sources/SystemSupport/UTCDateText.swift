import Foundation

/// Dates as UTC text, formatted with integer arithmetic: `DateFormatter` and `Date.formatted` cost
/// tens of microseconds a call, which the coordinator pays on every state write and log line.
public enum UTCDateText {
    /// "yyyy-MM-dd HH:mm:ss.SSS", the text GRDB stores a date as (its formatter rounds half up to a
    /// millisecond); nil outside years 1600–9999, where that formatter writes otherwise (before
    /// the Gregorian calendar it counts Julian days).
    public static func sqlite(_ date: Date) -> String? {
        let milliseconds = ((date.timeIntervalSinceReferenceDate + 978_307_200) * 1000 + 0.5).rounded(.down)
        guard let fields = Fields(milliseconds: milliseconds), (1600...9999).contains(fields.year) else { return nil }
        var text = Text()
        text.date(fields, separator: " ")
        text.put(UInt8(ascii: "."))
        text.put(fields.millisecond, 3)
        return text.string
    }

    /// "yyyy-MM-ddTHH:mm:ssZ" (whole seconds, rounded down), as `Date.formatted(.iso8601)` writes.
    public static func iso8601(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard let fields = Fields(milliseconds: milliseconds), (0...9999).contains(fields.year) else {
            return date.formatted(.iso8601)
        }
        var text = Text()
        text.date(fields, separator: "T")
        text.put(UInt8(ascii: "Z"))
        return text.string
    }

    private struct Fields {
        var year: Int64, month: Int64, day: Int64, second: Int64, millisecond: Int64

        /// The fields of `milliseconds` since 1970 (a whole number), or nil if too far away.
        init?(milliseconds: Double) {
            guard milliseconds.isFinite, abs(milliseconds) < 3e14 else { return nil }
            let ms = Int64(milliseconds)
            var days = ms / 86_400_000, rest = ms % 86_400_000
            if rest < 0 { days -= 1; rest += 86_400_000 }
            (year, month, day) = Self.civil(fromDays: days)
            second = rest / 1000
            millisecond = rest % 1000
        }

        /// Year, month and day of the proleptic Gregorian calendar, `days` after 1970-01-01
        /// (H. Hinnant's days-to-civil algorithm).
        static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let dayOfEra = z - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let mp = (5 * dayOfYear + 2) / 153
            let day = dayOfYear - (153 * mp + 2) / 5 + 1
            let month = mp < 10 ? mp + 3 : mp - 9
            return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
        }
    }

    private struct Text {
        var bytes: [UInt8] = []

        init() { bytes.reserveCapacity(24) }

        mutating func put(_ byte: UInt8) { bytes.append(byte) }

        /// `value` (non-negative) in exactly `digits` digits.
        mutating func put(_ value: Int64, _ digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }

        /// "yyyy-MM-dd<separator>HH:mm:ss".
        mutating func date(_ f: Fields, separator: Character) {
            put(f.year, 4); put(UInt8(ascii: "-")); put(f.month, 2); put(UInt8(ascii: "-")); put(f.day, 2)
            put(separator.asciiValue ?? UInt8(ascii: " "))
            put(f.second / 3600, 2); put(UInt8(ascii: ":")); put(f.second / 60 % 60, 2); put(UInt8(ascii: ":"))
            put(f.second % 60, 2)
        }

        var string: String { String(decoding: bytes, as: UTF8.self) }
    }
}
