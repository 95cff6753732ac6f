import Foundation
import GRDB
import SystemSupport

/// A date bound into SQL as GRDB binds one, "yyyy-MM-dd HH:mm:ss.SSS" in UTC, without GRDB's
/// `DateFormatter` (every state write carries a date; see `UTCDateText`). The text is the same, so
/// rows written either way compare and read back alike.
struct StoredDate: DatabaseValueConvertible {
    let date: Date

    init(_ date: Date) { self.date = date }

    var databaseValue: DatabaseValue {
        UTCDateText.sqlite(date).map(\.databaseValue) ?? date.databaseValue
    }

    static func fromDatabaseValue(_ value: DatabaseValue) -> StoredDate? {
        Date.fromDatabaseValue(value).map(StoredDate.init)
    }
}

extension Date {
    /// This date bound as GRDB would bind it.
    var stored: StoredDate { StoredDate(self) }
}
