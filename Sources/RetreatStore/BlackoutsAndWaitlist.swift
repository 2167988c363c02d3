import Foundation
import GRDB
import RetreatScheduling

extension RetreatStore {
    // MARK: blackouts

    /// Adds a blackout (inclusive dates). Refuses one that touches a live booking's intensive days unless
    /// `force`, naming the booking ids (never the couples).
    public func addBlackout(_ blackout: Blackout, force: Bool, now: Date, actor: String) throws(StoreError) -> Blackout {
        guard blackout.to >= blackout.from else {
            throw StoreError(.invalid, "--to \(blackout.to) is before --from \(blackout.from)")
        }
        return try write { db in
            let settings = try self.settings(db)
            try settings.requireResource(blackout.resource)
            if !force {
                let hits = try self.liveBookings(db).filter { b in
                    (blackout.resource == nil || blackout.resource == b.resource) && b.start <= blackout.to && b.end >= blackout.from
                }
                if !hits.isEmpty {
                    throw StoreError(
                        .conflict,
                        "the blackout \(blackout.from)…\(blackout.to) touches live booking(s) \(hits.map(\.id).joined(separator: ", ")); reschedule them first or pass --force"
                    )
                }
            }
            try db.execute(
                sql: "INSERT INTO blackouts (from_day, to_day, resource, reason, source) VALUES (?, ?, ?, ?, ?)",
                arguments: [blackout.from.description, blackout.to.description, blackout.resource, blackout.reason, blackout.source])
            var stored = blackout
            stored.id = db.lastInsertedRowID
            try self.audit(
                db, now: now, actor: actor, action: "blackout-add", entity: "blackout", id: String(db.lastInsertedRowID),
                detail: ["from": blackout.from.description, "to": blackout.to.description])
            return stored
        }
    }

    /// Removes a blackout by id.
    public func removeBlackout(id: Int64, now: Date, actor: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "DELETE FROM blackouts WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw StoreError(.notFound, "no blackout with id \(id); `retreat blackout list` shows the ids") }
            try self.audit(db, now: now, actor: actor, action: "blackout-remove", entity: "blackout", id: String(id))
        }
    }

    /// Every blackout, by start date.
    public func blackouts() throws(StoreError) -> [Blackout] {
        try read { db in try self.blackouts(db) }
    }

    // MARK: waitlist

    /// Adds a couple to the waitlist for a range of acceptable start dates.
    public func addToWaitlist(couple: String, contact: String?, from: CalendarDay, to: CalendarDay, resource: String?, now: Date, actor: String)
        throws(StoreError) -> WaitlistEntry
    {
        let name = couple.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw StoreError(.invalid, "--couple must not be empty") }
        guard to >= from else { throw StoreError(.invalid, "--to \(to) is before --from \(from)") }
        return try write { db in
            let settings = try self.settings(db)
            try settings.requireResource(resource)
            try db.execute(
                sql: "INSERT INTO waitlist (couple, contact, from_day, to_day, resource, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [name, contact, from.description, to.description, resource, now.timeIntervalSince1970])
            let id = db.lastInsertedRowID
            try self.audit(
                db, now: now, actor: actor, action: "waitlist-add", entity: "waitlist", id: String(id),
                detail: ["from": from.description, "to": to.description])
            return WaitlistEntry(id: id, couple: name, from: from, to: to, resource: resource, createdAt: now)
        }
    }

    /// Removes a waitlist entry.
    public func removeFromWaitlist(id: Int64, now: Date, actor: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE waitlist SET status = 'removed' WHERE id = ? AND status = 'waiting'", arguments: [id])
            guard db.changesCount > 0 else { throw StoreError(.notFound, "no waiting waitlist entry with id \(id)") }
            try self.audit(db, now: now, actor: actor, action: "waitlist-remove", entity: "waitlist", id: String(id))
        }
    }

    func waitingEntries(_ db: Database) throws -> [WaitlistEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM waitlist WHERE status = 'waiting' ORDER BY created_at, id").compactMap { row in
            guard let from = CalendarDay(iso: row["from_day"]), let to = CalendarDay(iso: row["to_day"]) else { return nil }
            return WaitlistEntry(
                id: row["id"], couple: row["couple"], from: from, to: to, resource: row["resource"],
                createdAt: Date(timeIntervalSince1970: row["created_at"]))
        }
    }

    func offers(_ db: Database, settings: PracticeSettings, now: Date) throws -> [WaitlistOffer] {
        try scheduler(db, settings: settings, now: now).offers(for: try waitingEntries(db))
    }

    /// Waiting entries, oldest first, with the starts each could take now.
    public func waitlist(now: Date) throws(StoreError) -> (entries: [WaitlistEntry], offers: [WaitlistOffer]) {
        try read { db in
            let settings = try self.settings(db)
            return (try self.waitingEntries(db), try self.offers(db, settings: settings, now: now))
        }
    }
}
