import Foundation
import GRDB
import RetreatScheduling

/// A stored counseling series with its private contact and state.
public struct StoredSeries: Hashable, Codable, Sendable {
    public var series: CounselingSeries
    /// Partners' e-mail addresses, for invitations.
    public var contact: String?
    /// False once the whole series is cancelled.
    public var active: Bool
    public var createdAt: Date
}

extension RetreatStore {
    // MARK: counselors

    /// Counselors and their working hours (default: one per resource, in the practice zone, on the days and
    /// hours of the intensives, Monday to Friday).
    public func counselors() throws(StoreError) -> [CounselorProfile] {
        try read { db in try self.counselors(db) }
    }

    func counselors(_ db: Database) throws -> [CounselorProfile] {
        if let json = try String.fetchOne(db, sql: "SELECT value FROM profile WHERE key = 'counselors'"),
            let list = try? JSONDecoder().decode([CounselorProfile].self, from: Data(json.utf8)), !list.isEmpty
        {
            return list
        }
        let settings = try self.settings(db)
        guard let period = WorkingPeriod(start: settings.dayStart, end: settings.dayEnd) else {
            throw StoreError(.invalid, "the practice's day hours \(settings.dayStart)–\(settings.dayEnd) are not a working period")
        }
        return try settings.resources.map { name in
            CounselorProfile(
                name: name, timeZoneIdentifier: settings.timeZoneIdentifier,
                hours: try CounselorHours(weekdays: [.monday, .tuesday, .wednesday, .thursday, .friday], period: period))
        }
    }

    /// Stores the counselors' profiles (validated; each must be one of the practice's resources).
    public func saveCounselors(_ list: [CounselorProfile], now: Date, actor: String) throws(StoreError) {
        try write { db in
            let settings = try self.settings(db)
            for c in list {
                do { try c.validate() } catch { throw StoreError(.invalid, "\(error)") }
                guard settings.resources.contains(c.name) else {
                    throw StoreError(.invalid, "counselor \"\(c.name)\" is not one of the practice's resources (\(settings.resources.joined(separator: ", ")))")
                }
            }
            let json = String(decoding: try JSONEncoder.sorted.encode(list), as: UTF8.self)
            try db.execute(
                sql: "INSERT INTO profile (key, value) VALUES ('counselors', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [json])
            try self.audit(db, now: now, actor: actor, action: "counselors", entity: "settings", id: "counselors")
        }
    }

    func counselor(_ db: Database, named name: String?) throws -> CounselorProfile {
        let all = try counselors(db)
        if let name {
            guard let c = all.first(where: { $0.name == name }) else {
                throw StoreError(.invalid, "unknown counselor \"\(name)\"; the practice's counselors are \(all.map(\.name).joined(separator: ", "))")
            }
            return c
        }
        guard all.count == 1, let only = all.first else {
            throw StoreError(.invalid, "the practice has \(all.count) counselors; name one with --counselor (\(all.map(\.name).joined(separator: ", ")))")
        }
        return only
    }

    // MARK: series rows

    func allSeries(_ db: Database) throws -> [StoredSeries] {
        try Row.fetchAll(db, sql: "SELECT * FROM series ORDER BY seq").map { row in
            let json: String = row["json"]
            do {
                let series = try JSONDecoder().decode(CounselingSeries.self, from: Data(json.utf8))
                return StoredSeries(
                    series: series, contact: row["contact"], active: (row["active"] as Int) != 0,
                    createdAt: Date(timeIntervalSince1970: row["created_at"]))
            } catch {
                throw StoreError(.incompatible, "stored series \(row["id"] as String) cannot be read: \(error)")
            }
        }
    }

    func storedSeries(_ db: Database, id: String) throws -> StoredSeries {
        guard let s = try allSeries(db).first(where: { $0.series.id.caseInsensitiveCompare(id) == .orderedSame }) else {
            throw StoreError(.notFound, "no counseling series with id \(id); `retreat sessions list` shows the ids")
        }
        return s
    }

    func planner(_ db: Database, counselor: CounselorProfile, now: Date) throws -> SessionPlanner {
        let settings = try self.settings(db)
        let existing = try allSeries(db).filter { $0.active }.map(\.series)
        let occupancies = try liveBookings(db).map { Occupancy(bookingID: $0.id, resource: $0.resource, start: $0.start, status: $0.status) }
        let blackouts = try self.blackouts(db).filter { $0.applies(to: counselor.name) }
        do {
            return try SessionPlanner(
                settings: settings, counselor: counselor, existing: existing, occupancies: occupancies,
                blackouts: blackouts, now: now)
        } catch {
            throw StoreError(.invalid, "\(error)")
        }
    }

    static func collisionError(_ collisions: [SessionCollision]) -> StoreError {
        let lines = collisions.map { c in c.conflicts.map(\.message).joined(separator: "; ") }
        return StoreError(.conflict, "\(collisions.count) session(s) collide: " + lines.joined(separator: " | "))
    }

    func save(_ db: Database, _ stored: StoredSeries, insert: Bool) throws {
        let json = String(decoding: try JSONEncoder.sorted.encode(stored.series), as: UTF8.self)
        if insert {
            let seq = (try Int.fetchOne(db, sql: "SELECT max(seq) FROM series") ?? 0) + 1
            try db.execute(
                sql: "INSERT INTO series (id, seq, couple, counselor, contact, json, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    stored.series.id, seq, stored.series.spec.couple, stored.series.spec.counselor, stored.contact, json,
                    stored.active ? 1 : 0, stored.createdAt.timeIntervalSince1970,
                ])
        } else {
            try db.execute(sql: "UPDATE series SET json = ?, active = ? WHERE id = ?", arguments: [json, stored.active ? 1 : 0, stored.series.id])
        }
    }

    // MARK: commands

    /// Books a counseling series after checking every occurrence.
    /// - Throws: `StoreError.conflict` naming every colliding date and why; `.invalid` for a bad spec.
    public func bookSeries(_ spec: CounselingSeriesSpec, contact: String?, now: Date, actor: String) throws(StoreError) -> StoredSeries {
        try write { db in
            var spec = spec
            let counselor = try self.counselor(db, named: spec.counselor.isEmpty ? nil : spec.counselor)
            spec.counselor = counselor.name
            spec.counselorZone = counselor.timeZoneIdentifier
            let seq = (try Int.fetchOne(db, sql: "SELECT max(seq) FROM series") ?? 0) + 1
            let series: CounselingSeries
            do {
                series = try CounselingSeries(id: String(format: "S%04d", seq), spec: spec)
            } catch {
                throw StoreError(.invalid, "\(error)")
            }
            let planner = try self.planner(db, counselor: counselor, now: now)
            let collisions: [SessionCollision]
            do { collisions = try planner.collisions(for: series) } catch { throw StoreError(.invalid, "\(error)") }
            if !collisions.isEmpty { throw Self.collisionError(collisions) }
            let stored = StoredSeries(series: series, contact: contact, active: true, createdAt: now)
            try self.save(db, stored, insert: true)
            try self.audit(
                db, now: now, actor: actor, action: "series-book", entity: "series", id: series.id,
                detail: ["start": spec.start.isoText, "rule": series.rruleText])
            return stored
        }
    }

    /// Applies a change (move, cancel one, end from a date) to a series; the new state is checked for
    /// collisions and stored with a higher SEQUENCE.
    public func changeSeries(
        id: String, action: String, now: Date, actor: String,
        _ change: (CounselingSeries) throws(SeriesError) -> CounselingSeries
    ) throws(StoreError) -> StoredSeries {
        try write { db in
            var stored = try self.storedSeries(db, id: id)
            guard stored.active else { throw StoreError(.invalid, "series \(stored.series.id) is cancelled") }
            let updated: CounselingSeries
            do { updated = try change(stored.series) } catch { throw StoreError(.invalid, "\(error)") }
            let counselor = try self.counselor(db, named: updated.spec.counselor)
            let planner = try self.planner(db, counselor: counselor, now: now)
            // Only sessions that moved must be free; the rest were checked when booked.
            let before = Set(stored.series.occurrences().map(\.start))
            let collisions: [SessionCollision]
            do { collisions = try planner.collisions(for: updated).filter { !before.contains($0.start) } } catch { throw StoreError(.invalid, "\(error)") }
            if !collisions.isEmpty { throw Self.collisionError(collisions) }
            stored.series = updated
            try self.save(db, stored, insert: false)
            try self.audit(db, now: now, actor: actor, action: action, entity: "series", id: updated.id, detail: ["sequence": String(updated.sequence)])
            return stored
        }
    }

    /// Cancels a whole series (it stays on record; its export becomes a METHOD:CANCEL).
    public func cancelSeries(id: String, now: Date, actor: String) throws(StoreError) -> StoredSeries {
        try write { db in
            var stored = try self.storedSeries(db, id: id)
            guard stored.active else { throw StoreError(.invalid, "series \(stored.series.id) is already cancelled") }
            stored.active = false
            do {
                stored.series = try CounselingSeries(
                    id: stored.series.id, spec: stored.series.spec, sequence: stored.series.sequence + 1,
                    exceptions: stored.series.exceptions)
            } catch { throw StoreError(.invalid, "\(error)") }
            try self.save(db, stored, insert: false)
            try self.audit(db, now: now, actor: actor, action: "series-cancel", entity: "series", id: stored.series.id)
            return stored
        }
    }

    /// Every series, oldest first.
    public func allSeries() throws(StoreError) -> [StoredSeries] {
        try read { db in try self.allSeries(db) }
    }

    /// One series.
    public func series(id: String) throws(StoreError) -> StoredSeries {
        try read { db in try self.storedSeries(db, id: id) }
    }

    /// Free session starts for a counselor.
    public func sessionStarts(counselor name: String?, lengthMinutes: Int, from: CalendarDay, to: CalendarDay, now: Date) throws(StoreError) -> [LocalTime] {
        try read { db in
            let counselor = try self.counselor(db, named: name)
            do {
                return try self.planner(db, counselor: counselor, now: now).freeStarts(lengthMinutes: lengthMinutes, from: from, to: to)
            } catch let e as SeriesError {
                throw StoreError(.invalid, e.description)
            }
        }
    }
}
