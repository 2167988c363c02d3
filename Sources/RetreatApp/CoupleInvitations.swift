import Foundation
import RetreatAgenda
import RetreatCalendars
import RetreatICal
import RetreatScheduling
import RetreatStore

/// Keeps each couple's calendar in step with the store: every use case that changes what a couple's event
/// shows calls `sync` inside its own transaction, which compares the event as it now stands with what was
/// last sent (`sent_events`) and queues the REQUESTs and CANCELs that close the gap in the outbox. The
/// change and its messages commit together or not at all.
enum CoupleInvitations {
    /// The booking's agenda days in client wording, or nil when there is no agenda, it is stale, or the couple
    /// is not eligible for an intensive plan (a failed or missing safety screen, an affair not known to have
    /// ended): such an agenda is never sent (the invitation then shows the day hours only, until staff re-plan).
    ///
    /// This is the one place that decides whether the stored agenda may reach the couple and reads its days.
    static func currentDays(_ ctx: ReadContext, bookingID: String) throws -> [InvitationDay]? {
        guard let stored = try ctx.reader.agenda(bookingID: bookingID), stored.staleReason == nil else { return nil }
        guard let booking = try? ctx.booking(bookingID), Agendas.eligibilityProblem(ctx, booking: booking) == nil else { return nil }
        guard let agenda = try? JSONDecoder().decode(Agenda.self, from: Data(stored.agendaJSON.utf8)) else { return nil }
        return InvitationDay.days(of: agenda)
    }

    /// Refuses an invitation or export that would carry a stale agenda, or an agenda of a couple who is not
    /// eligible for an intensive plan (exit 3), naming why.
    static func requireCurrentAgenda(_ ctx: ReadContext, booking: Booking, sending: String = "sending an invitation that carries it") throws {
        guard let stored = try ctx.reader.agenda(bookingID: booking.id) else { return }
        if let reason = stored.staleReason {
            throw AppError(
                .conflict,
                "the agenda of \(booking.id) is stale (\(reason)); re-plan it with `retreat agenda \(booking.id) --replan` before \(sending)")
        }
        if let reason = Agendas.eligibilityProblem(ctx, booking: booking) {
            throw AppError(
                .conflict,
                "the couple of \(booking.id) is NOT ELIGIBLE for an intensive plan, so its stored agenda is not sent. \(reason)"
            )
        }
    }

    /// The partners' mailboxes of a stored contact (empty when there is none).
    static func mailboxes(_ contact: String?, of id: String) throws -> [Mailbox] {
        guard let contact, !contact.trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
        do {
            return try Mailbox.list(contact, field: "contact")
        } catch {
            throw AppError(
                .invalid, "the stored contact of \(id) is not a list of e-mail addresses (\(error.message)); correct it with `\(editCommand(id)) --contact ...`"
            )
        }
    }

    /// The command that corrects the contact of a booking (`retreat edit B0001`) or a series (`retreat sessions edit S0001`).
    static func editCommand(_ id: String) -> String {
        id.uppercased().hasPrefix("S") ? "retreat sessions edit \(id)" : "retreat edit \(id)"
    }

    /// The couple's event of a booking as it now stands (whether or not it should be in their calendar).
    static func event(_ ctx: ReadContext, booking b: Booking, profile: PracticeProfile) throws -> (CoupleEvent, [InvitationDay]?) {
        let days = try currentDays(ctx, bookingID: b.id)
        let event = Invitations.intensive(
            booking: b, days: days, settings: ctx.settings, profile: profile, attendees: try mailboxes(b.contact, of: b.id))
        return (event, days)
    }

    /// A confirmed intensive is in the couple's calendar; a hold is not sent (it may lapse), and a cancelled or
    /// expired booking is taken out.
    static func isInCalendar(_ b: Booking) -> Bool { b.status == .confirmed || b.status == .completed }

    /// Brings one booking's invitation up to date (see the type's summary). Returns the messages queued.
    @discardableResult
    static func sync(_ ctx: WriteContext, booking b: Booking) throws -> [OutboxMessage] {
        let profile = try ctx.tx.profile()
        let (event, days) = try event(ctx.base, booking: b, profile: profile)
        return try queue(ctx, event: event, live: isInCalendar(b), floorSequence: b.sequence, name: "\(profile.name): your intensive") { reason in
            MailWording.intensive(reason, booking: b, days: days, settings: ctx.settings, profile: profile)
        }
    }

    /// Brings one counseling series' invitation up to date. Returns the messages queued.
    ///
    /// - Parameters:
    ///   - previousEnd: when the last session ended before this change (a series ended early still has sessions
    ///     in the couple's calendar after its new end).
    ///   - endedFrom: the series was cancelled after it began and now ends before this day: the couple's event
    ///     stays, cut after its last past session (a REQUEST, never a CANCEL that would erase the past sessions).
    @discardableResult
    static func sync(_ ctx: WriteContext, series stored: StoredSeries, previousEnd: Date? = nil, endedFrom: CalendarDay? = nil) throws
        -> [OutboxMessage]
    {
        let profile = try ctx.tx.profile()
        let event = Invitations.series(stored, profile: profile, attendees: try mailboxes(stored.contact, of: stored.series.id))
        return try queue(
            ctx, event: event, live: stored.active || endedFrom != nil, floorSequence: stored.series.sequence,
            name: "\(profile.name): counseling sessions", previousEnd: previousEnd, onlyToReached: endedFrom != nil
        ) { reason in
            if let endedFrom, reason != .removal {
                return MailWording.seriesEnded(stored: stored, from: endedFrom, profile: profile)
            }
            return MailWording.series(reason, stored: stored, profile: profile, now: ctx.now)
        }
    }

    /// Every confirmed intensive that is not over (after a settings change that may move their hours).
    static func syncAllBookings(_ ctx: WriteContext) throws {
        for b in try ctx.base.bookings(BookingQuery(from: ctx.today, statuses: [.confirmed])) { try sync(ctx, booking: b) }
    }

    /// Queues what brings the couple's calendar from what was last sent to `event` (see `InvitationChanges`), and
    /// drops what is waiting and no longer applies.
    ///
    /// - Parameters:
    ///   - live: the event should be in the couple's calendar (else it is cancelled where it may be).
    ///   - previousEnd: the end of the event before this change, when known (see `sync(series:)`).
    ///   - onlyToReached: send a REQUEST only to partners who may already hold the event (an update that cuts it).
    static func queue(
        _ ctx: WriteContext, event: CoupleEvent, live: Bool, floorSequence: Int, name: String, previousEnd: Date? = nil, onlyToReached: Bool = false,
        words: (PlannedInvitation.Reason) -> MailWording.Composed
    ) throws -> [OutboxMessage] {
        // What may already be in the couple's mailbox about this event: a message sent, in flight, or tried with an
        // unknown outcome (a temporary failure or a refusal reached no one).
        let history = try ctx.tx.outboxMessages(OutboxQuery(uid: event.uid))
        // The last moment anything about this event may stand in the couple's calendar: nothing is sent after it.
        let endsAt = ([event.endsAt] + [previousEnd].compactMap { $0 } + history.compactMap(\.endsAt)).max() ?? event.endsAt
        guard endsAt > ctx.now else { return [] }  // over: nothing to tell a calendar
        let sent = try ctx.tx.sentEvents(owner: event.owner).first { $0.uid == event.uid }
        let plan: (messages: [PlannedInvitation], record: SentEvent?)
        do {
            plan = try InvitationChanges.plan(event: live ? event : nil, sent: sent, floorSequence: floorSequence, now: ctx.now)
        } catch {
            throw AppError(.incompatible, "the recorded recipients of \(event.owner) cannot be read: \(error.message)")
        }
        func key(_ m: Mailbox) -> String { m.address.addrSpec.lowercased() }
        func addresses(_ list: String) -> [String] {
            ((try? Mailbox.list(list, field: "recipients")) ?? []).map(key)
        }
        let current = Set(event.attendees.map(key))
        // Mail still waiting for an address taken off the contact never goes: a REQUEST or reminder to it is dropped.
        for var old in try ctx.tx.outboxMessages(OutboxQuery(statuses: [.queued, .held])) where old.owner == event.owner {
            guard old.kind == .reminder || old.method == ICalMethod.request.rawValue else { continue }
            guard addresses(old.recipients).contains(where: { !current.contains($0) }) else { continue }
            old.status = .dropped
            old.lastError = "not sent: an address it is for was taken off the couple's contact"
            try ctx.tx.update(old)
        }
        guard let record = plan.record else { return [] }
        let reachedBefore = Set(history.filter(\.mayHaveReached).flatMap { addresses($0.recipients) })
        // A message still waiting about this event is superseded when each of its recipients gets a newer one:
        // every message carries the whole event as it stands for them.
        let reached = Set(plan.messages.flatMap(\.recipients).map(key))
        for var old in try ctx.tx.outboxMessages(OutboxQuery(uid: event.uid))
        where (old.status == .queued || old.status == .held) && old.kind == .invitation {
            let earlier = addresses(old.recipients)
            guard !earlier.isEmpty, Set(earlier).isSubset(of: reached) else { continue }
            old.status = .dropped
            old.lastError = "superseded by a newer message about the same event"
            try ctx.tx.update(old)
        }
        // Each planned message, split by who may already hold the event: only they can have it cancelled or
        // updated; to those who never received anything about it, the first message is their invitation
        // (unless it only cuts an event they never had, or is about an event already over: nothing to send them).
        let over = event.endsAt <= ctx.now
        var messages: [PlannedInvitation] = []
        for planned in plan.messages {
            let had = planned.recipients.filter { reachedBefore.contains(key($0)) }
            let new = planned.recipients.filter { !reachedBefore.contains(key($0)) }
            if !had.isEmpty {
                var m = planned
                m.recipients = had
                messages.append(m)
            }
            if planned.method == .request, !new.isEmpty, !onlyToReached, !over {
                var m = planned
                m.recipients = new
                m.reason = .invitation
                messages.append(m)
            }
        }
        var queued: [OutboxMessage] = []
        for planned in messages {
            let calendar = event.calendar(
                method: planned.method, sequence: planned.sequence, stamp: ctx.now, recipients: planned.recipients,
                attendees: planned.method == .request ? event.attendees : planned.recipients, calendarName: name)
            let composed = words(planned.reason)
            var message = OutboxMessage(
                createdAt: ctx.now, kind: .invitation, owner: event.owner, uid: event.uid, method: planned.method.rawValue, sequence: planned.sequence,
                recipients: planned.recipients.map(\.description).joined(separator: ", "), subject: composed.subject, body: composed.body,
                calendar: try calendar.serialized(), seed: UUID().uuidString)
            message.endsAt = endsAt
            queued.append(try ctx.tx.insert(message))
        }
        try ctx.tx.save(record)
        return queued
    }
}
