import Foundation
internal import GRDB
internal import GRDBSQLite
import RetreatScheduling

/// Row-by-row inserts for imports of tens of thousands of rows, bound straight through SQLite's C API.
///
/// GRDB's `execute(arguments:)` builds a `StatementArguments` array of `DatabaseValue`s for every row; for a
/// 70,000-row busy-time import that bookkeeping costs more than SQLite's own binding. Values are bound here
/// as they are (text, real, null) and SQLite copies them (`SQLITE_TRANSIENT`).
enum BulkInsert {
    /// Runs `statement` (parameters 1…9: from_day, to_day, resource, reason, source, uid, recurrence_id,
    /// starts_at, ends_at) once per item; returns how many rows it inserted.
    static func blackouts(
        _ items: [ImportedBlackout], resource: String?, reason: String, source: String, with statement: Statement, in db: Database
    ) throws -> Int {
        let handle = statement.sqliteStatement
        let connection = db.sqliteConnection
        func check(_ code: CInt, _ expected: CInt = SQLITE_OK) throws {
            guard code != expected else { return }
            let message = connection.map { String(cString: sqlite3_errmsg($0)) }
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        func bind(_ index: CInt, _ text: String?) throws {
            guard var utf8 = text else { return try check(sqlite3_bind_null(handle, index)) }
            try utf8.withUTF8 { bytes in
                try check(
                    sqlite3_bind_text(
                        handle, index, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, CInt(bytes.count), transient))
            }
        }
        func bind(_ index: CInt, _ day: CalendarDay) throws {
            guard var text = DayText(day) else { return try bind(index, day.description) }
            try withUnsafeBytes(of: &text.bytes) { raw in
                try check(sqlite3_bind_text(handle, index, raw.baseAddress?.assumingMemoryBound(to: CChar.self), 10, transient))
            }
        }
        defer { sqlite3_reset(handle) }
        try bind(3, resource)
        try bind(4, reason)
        try bind(5, source)
        var added = 0
        for item in items {
            try bind(1, item.from)
            try bind(2, item.to)
            try bind(6, item.uid)
            try bind(7, item.recurrenceID)
            if let start = item.startsAt, let end = item.endsAt {
                try check(sqlite3_bind_double(handle, 8, start.timeIntervalSince1970))
                try check(sqlite3_bind_double(handle, 9, end.timeIntervalSince1970))
            } else {
                try check(sqlite3_bind_null(handle, 8))
                try check(sqlite3_bind_null(handle, 9))
            }
            try check(sqlite3_step(handle), SQLITE_DONE)
            added += Int(sqlite3_changes(connection))
            try check(sqlite3_reset(handle))
        }
        return added
    }

    /// SQLite copies what it is given before the call returns.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// `YYYY-MM-DD` in ten bytes, for years 0…9999 (other years take `CalendarDay.description`).
    private struct DayText {
        var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

        init?(_ day: CalendarDay) {
            guard (0...9999).contains(day.year) else { return nil }
            func digit(_ n: Int) -> UInt8 { UInt8(truncatingIfNeeded: 48 + n % 10) }
            let y = day.year
            let m = day.month
            let d = day.day
            bytes = (digit(y / 1000), digit(y / 100), digit(y / 10), digit(y), 45, digit(m / 10), digit(m), 45, digit(d / 10), digit(d))
        }
    }
}
