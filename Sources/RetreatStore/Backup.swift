import Foundation
import GRDB
import RetreatScheduling

/// Everything in the store, for audits (`retreat export-data --json`).
public struct StoreExport: Codable, Sendable {
    public var schemaVersion: Int
    public var exportedAt: Date
    public var settings: PracticeSettings
    public var profile: PracticeProfile
    public var bookings: [Booking]
    public var blackouts: [Blackout]
    public var waitlist: [WaitlistEntry]
    public var audit: [AuditEntry]
}

extension RetreatStore {
    /// Copies the store to `path` with SQLite's online backup API: a consistent snapshot even while other
    /// staff write. The copy is created mode 0600 and must not exist yet.
    public func backup(to path: String) throws(StoreError) {
        if FileManager.default.fileExists(atPath: path) {
            throw StoreError(.invalid, "\(path) already exists; choose a new file for the backup")
        }
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard fd >= 0 else { throw StoreError(.io, "cannot create \(path): \(String(cString: strerror(errno)))") }
        close(fd)
        do {
            let destination = try DatabaseQueue(path: path)
            try dbWriter.backup(to: destination)
            try destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw StoreError(.io, "backup to \(path) failed: \(error)")
        }
    }

    /// Replaces the store's contents with a backup, after checking that it is a Retreat store of this or an
    /// older schema (older ones are migrated). The replacement is one SQLite backup step: all or nothing.
    public func restore(from path: String, now: Date, actor: String) throws(StoreError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.notFound, "cannot read \(path): no such file")
        }
        do {
            var config = Configuration()
            config.readonly = true
            let source = try DatabaseQueue(path: path, configuration: config)
            try source.read { db in
                let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                guard appID == Self.applicationID else { throw StoreError(.incompatible, "\(path) is not a Retreat store; nothing was restored") }
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                if version > Self.schemaVersion {
                    throw StoreError(
                        .incompatible,
                        "\(path) is of a newer schema (\(version); this build knows \(Self.schemaVersion)); upgrade retreat; nothing was restored")
                }
                let check = try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? ""
                guard check == "ok" else { throw StoreError(.incompatible, "\(path) fails SQLite's integrity check (\(check)); nothing was restored") }
            }
            try source.backup(to: dbWriter)
            try Self.migrator.migrate(dbWriter)
            try dbWriter.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA user_version = \(Self.schemaVersion)")
            }
            try write { db in try self.audit(db, now: now, actor: actor, action: "restore", entity: "store", id: (path as NSString).lastPathComponent) }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError(.incompatible, "\(path) is not a Retreat store (not an SQLite database); nothing was restored")
        } catch {
            throw StoreError(.io, "restore from \(path) failed: \(error)")
        }
    }

    /// Every record, for audits.
    public func exportAll(now: Date) throws(StoreError) -> StoreExport {
        let settings = try settings()
        let profile = try profile()
        let (bookings, blackouts, waitlist): ([Booking], [Blackout], [WaitlistEntry]) = try read { db in
            let all = try self.fetchBookings(db)
            let pays = try self.payments(db, bookingIDs: nil)
            let withPayments = all.map { b -> Booking in
                var b = b
                b.payments = pays[b.id] ?? []
                return b
            }
            let wl = try Row.fetchAll(db, sql: "SELECT * FROM waitlist ORDER BY id").compactMap { row -> WaitlistEntry? in
                guard let from = CalendarDay(iso: row["from_day"]), let to = CalendarDay(iso: row["to_day"]) else { return nil }
                return WaitlistEntry(
                    id: row["id"], couple: row["couple"], from: from, to: to, resource: row["resource"],
                    createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
            return (withPayments, try self.blackouts(db), wl)
        }
        return StoreExport(
            schemaVersion: Self.schemaVersion, exportedAt: now, settings: settings, profile: profile,
            bookings: bookings, blackouts: blackouts, waitlist: waitlist, audit: try auditLog())
    }

    /// SQLite's integrity check: "ok" when the file is sound.
    public func integrityCheck() throws(StoreError) -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }
}

extension RetreatStore {
    /// Checks the store's invariants and returns every violation (empty when sound): SQLite's integrity
    /// check, occupancy rows exactly matching the live bookings' intensive and turnover days, no two live
    /// bookings sharing a resource-day, every payment and occupancy row belonging to a booking.
    public func invariantViolations() throws(StoreError) -> [String] {
        try read { db in
            var problems: [String] = []
            let integrity = try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? ""
            if integrity != "ok" { problems.append("integrity_check: \(integrity)") }
            guard let settingsJSON = try String.fetchOne(db, sql: "SELECT json FROM settings WHERE id = 1"),
                let settings = try? JSONDecoder().decode(PracticeSettings.self, from: Data(settingsJSON.utf8))
            else { return problems }
            var expected = Set<String>()
            for row in try Row.fetchAll(db, sql: "SELECT id, resource, start, end FROM bookings WHERE status IN ('held','confirmed')") {
                guard let start = CalendarDay(iso: row["start"]), let end = CalendarDay(iso: row["end"]) else {
                    problems.append("booking \(row["id"] as String) has unreadable dates")
                    continue
                }
                if start.days(until: end) + 1 != settings.intensiveDays {
                    problems.append("booking \(row["id"] as String) spans \(start)…\(end), not \(settings.intensiveDays) days")
                }
                for offset in 0..<(settings.intensiveDays + settings.turnoverDays) {
                    let key = "\(row["resource"] as String)|\(start.adding(days: offset))"
                    if !expected.insert(key).inserted { problems.append("two live bookings share \(key)") }
                }
            }
            let rows = Set(try Row.fetchAll(db, sql: "SELECT resource, day FROM occupied_days").map { "\($0["resource"] as String)|\($0["day"] as String)" })
            let diff = rows.symmetricDifference(expected)
            if !diff.isEmpty {
                problems.append(
                    "occupancy rows and live bookings differ on \(diff.count) resource-day(s), e.g. \(diff.sorted().prefix(3).joined(separator: ", "))")
            }
            let orphans = try Int.fetchOne(db, sql: "PRAGMA foreign_key_check") ?? 0
            if orphans != 0 { problems.append("foreign key check failed") }
            return problems
        }
    }
}
