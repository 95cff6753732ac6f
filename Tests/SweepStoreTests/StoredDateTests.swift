import Foundation
import GRDB
import Testing
@testable import SweepStore
import SweepTestSupport
import SystemSupport

/// Dates bound through `StoredDate` are the text GRDB's own formatter writes, so old and new rows
/// compare alike in SQL (leases, ordering) and read back as the same dates.
@Suite struct StoredDateTests {
    @Test func theTextIsGRDBsForRandomAndEdgeDates() throws {
        var random = SplitMix64(seed: 0xDA7E)
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.0005), Date(timeIntervalSince1970: 0.9995),
                     Date(timeIntervalSince1970: 951_782_400), // 2000-02-29
                     Date(timeIntervalSince1970: 4_107_542_399.999), Date(timeIntervalSince1970: -2_208_988_800.001),
                     Date(timeIntervalSince1970: -11_676_096_000), // 1600-01-01
                     Date(timeIntervalSinceReferenceDate: 252_423_993_599.9995)] // the end of 9999
        for _ in 0..<20_000 {
            // 1900 to 2100, with sub-millisecond fractions.
            let seconds = -2_208_988_800 + Double(random.next() % 6_311_433_600) + Double(random.next() % 1_000_000) / 1_000_000
            dates.append(Date(timeIntervalSince1970: seconds))
        }
        for (index, date) in dates.enumerated() {
            #expect(StoredDate(date).databaseValue == date.databaseValue, "\(date.timeIntervalSince1970)")
            // Formatted here, not by the fallback (the last edge rounds up into the year 10000).
            #expect(UTCDateText.sqlite(date) != nil || index == 7, "\(date.timeIntervalSince1970)")
        }
    }

    @Test func yearsBefore1600OrAfter9999FallBackToGRDBsFormatter() {
        let early = Date(timeIntervalSince1970: -11_676_096_000.001)
        #expect(UTCDateText.sqlite(early) == nil)
        #expect(StoredDate(early).databaseValue == early.databaseValue)
        #expect(UTCDateText.sqlite(.distantPast) == nil)
        #expect(UTCDateText.sqlite(Date(timeIntervalSince1970: 1e15)) == nil)
    }
}
