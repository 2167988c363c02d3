import Foundation
import RetreatScheduling
import RetreatStore

/// The waitlist as staff see it: who is waiting, and the starts free for each of them now.
public struct WaitlistView: Hashable, Sendable {
    /// Entries still waiting, oldest first.
    public var entries: [WaitlistEntry]
    /// Entries with at least one free start now, with those starts.
    public var offers: [WaitlistOffer]
}

extension RetreatService {
    /// Adds a couple to the waitlist for a range of acceptable start dates.
    public func addToWaitlist(couple: String, contact: String? = nil, from: CalendarDay, to: CalendarDay, resource: String? = nil) throws(AppError)
        -> WaitlistEntry
    {
        let name = try Input.name(couple, option: "--couple")
        let contact = try Input.contact(contact, option: "--contact")
        guard to >= from else { throw AppError(.badInput, "--to \(to) is before --from \(from)") }
        return try write { ctx in
            let resource = try ctx.base.requireResource(resource)
            if to < ctx.today { throw AppError(.badInput, "--to \(to) is in the past; give the range of starts the couple can still take") }
            let horizon = ctx.today.adding(months: ctx.settings.horizonMonths)
            if from > horizon { throw AppError(.badInput, "--from \(from) is beyond the booking horizon (\(horizon)); nothing could be offered") }
            let entry = try ctx.tx.insert(WaitlistEntry(couple: name, contact: contact, from: from, to: to, resource: resource, createdAt: ctx.now))
            try ctx.audit("waitlist-add", "waitlist", String(entry.id ?? 0), ["from": from.description, "to": to.description])
            return entry
        }
    }

    /// Takes a waiting entry off the list.
    public func removeFromWaitlist(id: Int64) throws(AppError) {
        try write { ctx in
            guard var entry = try ctx.tx.waitlist().first(where: { $0.id == id && $0.status == .waiting }) else {
                throw AppError(.notFound, "no waiting waitlist entry with id \(id)")
            }
            entry.status = .removed
            try ctx.tx.update(entry)
            try ctx.audit("waitlist-remove", "waitlist", String(id), before: ["status": "waiting"], after: ["status": "removed"])
        }
    }

    /// Books an intensive for a waiting entry (its couple and contact), marking that entry — and only it — booked.
    public func bookFromWaitlist(entryID: Int64, start: CalendarDay, resource: String? = nil, priorities: [String] = [], hold: Bool = false) throws(AppError)
        -> BookingOutcome
    {
        let entry = try read { ctx in
            guard let e = try ctx.reader.waitlist().first(where: { $0.id == entryID && $0.status == .waiting }) else {
                throw AppError(.notFound, "no waiting waitlist entry with id \(entryID); `retreat waitlist list` shows them")
            }
            guard e.from <= start && start <= e.to else {
                throw AppError(.badInput, "--start \(start) is outside the starts waitlist entry \(entryID) can take (\(e.from) … \(e.to))")
            }
            return e
        }
        return try book(
            BookingRequest(
                couple: entry.couple, contact: entry.contact, start: start, resource: resource ?? entry.resource, priorities: priorities, hold: hold,
                waitlistEntryID: entryID))
    }

    /// Waiting entries, oldest first, with the starts each could take now.
    public func waitlist() throws(AppError) -> WaitlistView {
        try read { ctx in
            let waiting = try ctx.reader.waitlist().filter { $0.status == .waiting }
            return WaitlistView(entries: waiting, offers: try ctx.scheduler().offers(for: waiting))
        }
    }
}
