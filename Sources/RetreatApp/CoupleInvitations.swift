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
                .invalid, "the stored contact of \(id) is not a list of e-mail addresses (\(error.message)); correct it with `retreat edit \(id) --contact ...`"
            )
        }
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
        guard event.endsAt > ctx.now else { return [] }  // over: nothing to tell a calendar
        return try queue(ctx, event: event, live: isInCalendar(b), floorSequence: b.sequence, name: "\(profile.name): your intensive") { reason in
            MailWording.intensive(reason, booking: b, days: days, settings: ctx.settings, profile: profile)
        }
    }

    /// Brings one counseling series' invitation up to date. Returns the messages queued.
    @discardableResult
    static func sync(_ ctx: WriteContext, series stored: StoredSeries) throws -> [OutboxMessage] {
        let profile = try ctx.tx.profile()
        let event = Invitations.series(stored, profile: profile, attendees: try mailboxes(stored.contact, of: stored.series.id))
        guard event.endsAt > ctx.now else { return [] }
        return try queue(ctx, event: event, live: stored.active, floorSequence: stored.series.sequence, name: "\(profile.name): counseling sessions") {
            reason in MailWording.series(reason, stored: stored, profile: profile, now: ctx.now)
        }
    }

    /// Every confirmed intensive that is not over (after a settings change that may move their hours).
    static func syncAllBookings(_ ctx: WriteContext) throws {
        for b in try ctx.base.bookings(BookingQuery(from: ctx.today, statuses: [.confirmed])) { try sync(ctx, booking: b) }
    }

    static func queue(
        _ ctx: WriteContext, event: CoupleEvent, live: Bool, floorSequence: Int, name: String, words: (PlannedInvitation.Reason) -> MailWording.Composed
    ) throws -> [OutboxMessage] {
        let sent = try ctx.tx.sentEvents(owner: event.owner).first { $0.uid == event.uid }
        let plan: (messages: [PlannedInvitation], record: SentEvent?)
        do {
            plan = try InvitationChanges.plan(event: live ? event : nil, sent: sent, floorSequence: floorSequence, now: ctx.now)
        } catch {
            throw AppError(.incompatible, "the recorded recipients of \(event.owner) cannot be read: \(error.message)")
        }
        guard let record = plan.record else { return [] }
        // What may already be in the couple's mailbox about this event: a message sent, in flight, or tried.
        let history = try ctx.tx.outboxMessages(OutboxQuery(uid: event.uid))
        func addresses(_ list: String) -> [String] {
            ((try? Mailbox.list(list, field: "recipients")) ?? []).map { $0.address.addrSpec.lowercased() }
        }
        let reachedBefore = Set(
            history.filter { $0.status == .sent || $0.status == .sending || $0.attempts > 0 }.flatMap { addresses($0.recipients) })
        // A message still waiting about this event is superseded when each of its recipients gets a newer one:
        // every message carries the whole event as it stands for them.
        let reached = Set(plan.messages.flatMap(\.recipients).map { $0.address.addrSpec.lowercased() })
        for var old in history where (old.status == .queued || old.status == .held) && old.kind == .invitation {
            let earlier = addresses(old.recipients)
            guard !earlier.isEmpty, Set(earlier).isSubset(of: reached) else { continue }
            old.status = .dropped
            old.lastError = "superseded by a newer message about the same event"
            try ctx.tx.update(old)
        }
        var queued: [OutboxMessage] = []
        for var planned in plan.messages {
            // Only someone who may have the event can have it cancelled; and to those who never received
            // anything about it, the first message is their invitation, whatever changed before it went out.
            if planned.method == .cancel {
                planned.recipients = planned.recipients.filter { reachedBefore.contains($0.address.addrSpec.lowercased()) }
                if planned.recipients.isEmpty { continue }
            } else if !planned.recipients.contains(where: { reachedBefore.contains($0.address.addrSpec.lowercased()) }) {
                planned.reason = .invitation
            }
            let calendar = event.calendar(
                method: planned.method, sequence: planned.sequence, stamp: ctx.now, recipients: planned.recipients, calendarName: name)
            let composed = words(planned.reason)
            let message = OutboxMessage(
                createdAt: ctx.now, kind: .invitation, owner: event.owner, uid: event.uid, method: planned.method.rawValue, sequence: planned.sequence,
                recipients: planned.recipients.map(\.description).joined(separator: ", "), subject: composed.subject, body: composed.body,
                calendar: try calendar.serialized(), seed: UUID().uuidString)
            queued.append(try ctx.tx.insert(message))
        }
        try ctx.tx.save(record)
        return queued
    }
}
