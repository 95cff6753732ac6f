import Foundation
import SweepTestSupport
import SystemSupport
import Testing

@Suite struct UTCDateTextTests {
    @Test func isoTextIsFoundationsForDatesFrom1900To2100() {
        var random = SplitMix64(seed: 0x150)
        func next() -> UInt64 { random.next() }
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.001), Date(timeIntervalSince1970: 951_868_799.999)]
        for _ in 0..<5_000 {
            dates.append(Date(timeIntervalSince1970: -2_208_988_800 + Double(next() % 6_311_433_600) + Double(next() % 1000) / 1000))
        }
        for date in dates {
            #expect(UTCDateText.iso8601(date) == date.formatted(.iso8601), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func sqliteTextHasMillisecondsRoundedHalfUp() {
        #expect(UTCDateText.sqlite(Date(timeIntervalSince1970: 1_700_000_000.0125)) == "2023-11-14 22:13:20.013")
        #expect(UTCDateText.sqlite(Date(timeIntervalSince1970: -0.0004)) == "1970-01-01 00:00:00.000")
        #expect(UTCDateText.sqlite(Date(timeIntervalSince1970: -0.0006)) == "1969-12-31 23:59:59.999")
        #expect(UTCDateText.sqlite(.distantFuture) == "4001-01-01 00:00:00.000")
        #expect(UTCDateText.sqlite(.distantPast) == nil)
    }
}
