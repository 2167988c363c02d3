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
    /// Runs `insert` (parameters 1…9: from_day, to_day, resource, reason, source, uid, recurrence_id, starts_at,
    /// ends_at) once per item, except for an item for which `stored` (the same numbering) returns a row; returns
    /// how many rows were inserted.
    static func blackouts(
        _ items: [ImportedBlackout], resource: String?, reason: String, source: String, insert: Statement, skippingWhere stored: Statement?,
        in db: Database
    ) throws -> Int {
        let connection = db.sqliteConnection
        func check(_ code: CInt, _ statement: Statement, _ expected: CInt = SQLITE_OK) throws {
            guard code != expected else { return }
            let message = connection.map { String(cString: sqlite3_errmsg($0)) }
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        func bind(_ statement: Statement, _ index: CInt, _ text: String?) throws {
            let handle = statement.sqliteStatement
            guard var utf8 = text else { return try check(sqlite3_bind_null(handle, index), statement) }
            try utf8.withUTF8 { bytes in
                let start = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
                try check(sqlite3_bind_text(handle, index, start, CInt(bytes.count), transient), statement)
            }
        }
        func bind(_ statement: Statement, _ index: CInt, _ day: CalendarDay) throws {
            guard var text = DayText(day) else { return try bind(statement, index, day.description) }
            try withUnsafeBytes(of: &text.bytes) { raw in
                try check(sqlite3_bind_text(statement.sqliteStatement, index, raw.baseAddress?.assumingMemoryBound(to: CChar.self), 10, transient), statement)
            }
        }
        defer {
            sqlite3_reset(insert.sqliteStatement)
            if let stored { sqlite3_reset(stored.sqliteStatement) }
        }
        // What every row shares is bound once.
        try bind(insert, 4, reason)
        for statement in [insert, stored].compactMap({ $0 }) {
            try bind(statement, 3, resource)
            try bind(statement, 5, source)
        }
        let handle = insert.sqliteStatement
        var added = 0
        for item in items {
            if let stored {
                try bind(stored, 6, item.uid)
                try bind(stored, 7, item.recurrenceID)
                let found = sqlite3_step(stored.sqliteStatement)
                if found != SQLITE_ROW && found != SQLITE_DONE { try check(found, stored) }
                try check(sqlite3_reset(stored.sqliteStatement), stored)
                if found == SQLITE_ROW { continue }
            }
            try bind(insert, 1, item.from)
            try bind(insert, 2, item.to)
            try bind(insert, 6, item.uid)
            try bind(insert, 7, item.recurrenceID)
            if let start = item.startsAt, let end = item.endsAt {
                try check(sqlite3_bind_double(handle, 8, start.timeIntervalSince1970), insert)
                try check(sqlite3_bind_double(handle, 9, end.timeIntervalSince1970), insert)
            } else {
                try check(sqlite3_bind_null(handle, 8), insert)
                try check(sqlite3_bind_null(handle, 9), insert)
            }
            try check(sqlite3_step(handle), insert, SQLITE_DONE)
            added += Int(sqlite3_changes(connection))
            try check(sqlite3_reset(handle), insert)
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
