import Foundation
import GRDB
import RetreatScheduling

/// A couple's intake answers that decide whether an agenda may be planned.
public struct IntakeRecord: Hashable, Codable, Sendable {
    /// Whether the affair has ended (nil: not asked yet).
    public var affairEnded: Bool?
    /// Whether the safety screen (no violence, no active addiction) was passed.
    public var safetyScreenPassed: Bool

    public init(affairEnded: Bool?, safetyScreenPassed: Bool) {
        self.affairEnded = affairEnded
        self.safetyScreenPassed = safetyScreenPassed
    }
}

/// A stored agenda: the planner's output and the staff adjustments it was planned with, both as JSON the
/// agenda module owns (the store does not interpret them).
public struct StoredAgenda: Hashable, Sendable {
    public var bookingID: String
    public var agendaJSON: String
    public var adjustmentsJSON: String
    public var plannedAt: Date
}

extension RetreatStore {
    /// The module catalog (TOML text) loaded by `init`, if any.
    public func agendaCatalog() throws(StoreError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM profile WHERE key = 'agendaCatalog'") }
    }

    /// Stores the module catalog's TOML text (the caller has validated it).
    public func saveAgendaCatalog(_ toml: String, now: Date, actor: String) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO profile (key, value) VALUES ('agendaCatalog', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [toml])
            try self.audit(db, now: now, actor: actor, action: "agenda-catalog", entity: "settings", id: "agendaCatalog")
        }
    }

    /// The intake of a booking (default: safety passed, affair status not asked).
    public func intake(bookingID: String) throws(StoreError) -> IntakeRecord {
        try read { db in
            let b = try self.booking(db, id: bookingID)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM intakes WHERE booking_id = ?", arguments: [b.id]) else {
                return IntakeRecord(affairEnded: nil, safetyScreenPassed: true)
            }
            let ended: Int? = row["affair_ended"]
            return IntakeRecord(affairEnded: ended.map { $0 != 0 }, safetyScreenPassed: (row["safety_passed"] as Int) != 0)
        }
    }

    /// Records a booking's intake answers.
    public func saveIntake(bookingID: String, _ intake: IntakeRecord, now: Date, actor: String) throws(StoreError) {
        try write { db in
            let b = try self.booking(db, id: bookingID)
            try db.execute(
                sql:
                    "INSERT INTO intakes (booking_id, affair_ended, safety_passed) VALUES (?, ?, ?) ON CONFLICT(booking_id) DO UPDATE SET affair_ended = excluded.affair_ended, safety_passed = excluded.safety_passed",
                arguments: [b.id, intake.affairEnded.map { $0 ? 1 : 0 }, intake.safetyScreenPassed ? 1 : 0])
            try self.audit(db, now: now, actor: actor, action: "intake", entity: "booking", id: b.id)
        }
    }

    /// The stored agenda of a booking, if planned.
    public func agenda(bookingID: String) throws(StoreError) -> StoredAgenda? {
        try read { db in
            let b = try self.booking(db, id: bookingID)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM agendas WHERE booking_id = ?", arguments: [b.id]) else { return nil }
            return StoredAgenda(
                bookingID: b.id, agendaJSON: row["json"], adjustmentsJSON: row["adjustments"], plannedAt: Date(timeIntervalSince1970: row["planned_at"]))
        }
    }

    /// Stores (replaces) a booking's agenda.
    public func saveAgenda(bookingID: String, agendaJSON: String, adjustmentsJSON: String, now: Date, actor: String) throws(StoreError) {
        try write { db in
            let b = try self.booking(db, id: bookingID)
            guard b.status.isLive || b.status == .completed else {
                throw StoreError(.invalid, "booking \(b.id) is \(b.status.rawValue); plan agendas for live bookings only")
            }
            try db.execute(
                sql:
                    "INSERT INTO agendas (booking_id, json, adjustments, planned_at) VALUES (?, ?, ?, ?) ON CONFLICT(booking_id) DO UPDATE SET json = excluded.json, adjustments = excluded.adjustments, planned_at = excluded.planned_at",
                arguments: [b.id, agendaJSON, adjustmentsJSON, now.timeIntervalSince1970])
            try self.audit(db, now: now, actor: actor, action: "agenda-plan", entity: "booking", id: b.id)
        }
    }
}

extension RetreatStore {
    /// Replaces a booking's ranked priority issues (rank 1 first).
    public func setPriorities(bookingID: String, _ priorities: [String], now: Date, actor: String) throws(StoreError) -> Booking {
        try write { db in
            let b = try self.booking(db, id: bookingID)
            let json = String(decoding: try JSONEncoder().encode(priorities), as: UTF8.self)
            try db.execute(sql: "UPDATE bookings SET priorities = ? WHERE id = ?", arguments: [json, b.id])
            try self.audit(db, now: now, actor: actor, action: "priorities", entity: "booking", id: b.id)
            return try self.booking(db, id: b.id)
        }
    }
}

extension RetreatStore {
    /// A practice-profile value (JSON or text owned by the caller), by key.
    public func profileValue(_ key: String) throws(StoreError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM profile WHERE key = ?", arguments: [key]) }
    }

    /// Stores a practice-profile value under `key` (audited).
    public func saveProfileValue(_ key: String, _ value: String, action: String, now: Date, actor: String) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO profile (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [key, value])
            try self.audit(db, now: now, actor: actor, action: action, entity: "settings", id: key)
        }
    }
}
