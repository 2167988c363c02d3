import Foundation
import RetreatScheduling
import RetreatStore

/// A couple's request for dates, as the public page takes it: it becomes a hold through the same use case as
/// `retreat book --hold`.
public struct DateRequest: Hashable, Sendable {
    /// Each partner's name (one or two).
    public var names: [String]
    /// Each partner's e-mail address (one or two).
    public var emails: [String]
    /// The preferred first day.
    public var start: CalendarDay
    /// What they want to work on, most important first (priority ids such as `communication`).
    public var priorities: [String]
    /// A free-text note for the staff.
    public var note: String?
    /// Idempotency key: the same form sent twice gives one hold.
    public var requestID: String?

    /// Creates a request.
    public init(names: [String], emails: [String], start: CalendarDay, priorities: [String] = [], note: String? = nil, requestID: String? = nil) {
        self.names = names
        self.emails = emails
        self.start = start
        self.priorities = priorities
        self.note = note
        self.requestID = requestID
    }
}

extension DateRequest {
    /// The couple's name as `book --couple` takes it, from one or two partners' names: each a plain name
    /// without `&` (which joins the two), and both together, joined by " & ", within the same 200 characters.
    /// An empty second name is left out.
    /// - Throws: `.badInput` naming the field in the couple's words.
    public static func checkedCouple(_ raw: [String]) throws(AppError) -> String {
        var names: [String] = []
        for (i, text) in raw.enumerated() {
            if i > 0 && text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            let field = i == 0 ? "your name" : "your partner's name"
            let name = try Input.name(text, option: field)
            if name.contains("&") {
                throw AppError(.badInput, "\(field): holds \"&\", which we put between your two names; give each partner's name in its own field")
            }
            names.append(name)
        }
        guard (1...2).contains(names.count) else { throw AppError(.badInput, "give one or two names") }
        let couple = names.joined(separator: " & ")
        let length = couple.unicodeScalars.count
        guard length <= PlainName.defaultMaxLength else {
            throw AppError(
                .badInput,
                "your names: together (with \" & \" between them) they are \(length) characters long; at most \(PlainName.defaultMaxLength) are allowed")
        }
        return try Input.name(couple, option: "your names")
    }

    /// The partners' e-mail addresses: exactly one mailbox in each field given (`Jo <jo@x.org>` or `jo@x.org`;
    /// no list), at least one, at most two, and not the same address twice.
    /// - Returns: the mailboxes in the order given (their `address.addrSpec` is what rate limits count).
    /// - Throws: `.badInput` naming the field in the couple's words.
    public static func checkedAddresses(_ raw: [String]) throws(AppError) -> [Mailbox] {
        var mailboxes: [Mailbox] = []
        for text in raw where !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let field = mailboxes.isEmpty ? "your e-mail address" : "your partner's e-mail address"
            let mailbox: Mailbox
            do { mailbox = try Mailbox(text, field: field) } catch { throw AppError(.badInput, error.message) }
            if let first = mailboxes.first, first.address.addrSpec.lowercased() == mailbox.address.addrSpec.lowercased() {
                throw AppError(.badInput, "\(field): repeats your e-mail address; give your partner's own address, or leave it empty")
            }
            guard mailboxes.count < 2 else { throw AppError(.badInput, "give at most two e-mail addresses") }
            mailboxes.append(mailbox)
        }
        guard !mailboxes.isEmpty else { throw AppError(.badInput, "your e-mail address: is empty; we answer there") }
        return mailboxes
    }
}

/// A message that should go out because of a change: the seam where the invitations issue's e-mail outbox
/// plugs in. Until it does, the server logs that a notice is pending (never its recipients).
public struct PendingNotice: Hashable, Sendable {
    /// What happened.
    public enum Kind: String, Hashable, Sendable {
        /// To the couple: we received your request and hold the dates until the deposit is due.
        case requestReceived = "request-received"
        /// To the staff: a couple asked for dates on the public page.
        case newRequest = "new-request"
    }

    /// What happened.
    public var kind: Kind
    /// The booking it is about.
    public var bookingID: String
    /// Addresses to write to (the couple's for `requestReceived`; empty for staff, who use the practice's
    /// organizer address).
    public var recipients: [String]
}

/// What a couple's request did.
public struct DateRequestOutcome: Hashable, Sendable {
    /// The hold (status `held`, lapsing at `holdExpiresAt` unless the deposit is recorded).
    public var booking: Booking
    /// True when the same request (same key and content) had already placed this hold.
    public var replayed: Bool
    /// The practice's currency, for the deposit.
    public var currency: String
    /// Messages to send; empty for a replay.
    public var notices: [PendingNotice]
}

extension RetreatService {
    /// A couple asks for an intensive starting on `request.start`: the same checks as the CLI (names, e-mail
    /// addresses, priorities, note), then a hold placed exactly as `book --hold` places one, with the note kept
    /// for the staff, all in one transaction. The database decides when two couples ask for one date.
    /// - Throws: `.badInput` naming the field, `.conflict` when the date is not (or no longer) available,
    ///   `.invalid` for a date in the past or a request id reused for a different request.
    public func requestDates(_ request: DateRequest) throws(AppError) -> DateRequestOutcome {
        let couple = try DateRequest.checkedCouple(request.names)
        let emails = try DateRequest.checkedAddresses(request.emails).map(\.description)
        let note = try Input.note(request.note, option: "the note")
        let booking = BookingRequest(
            couple: couple, contact: emails.joined(separator: ", "), start: request.start, priorities: request.priorities,
            hold: true, requestID: request.requestID)
        return try write { ctx in
            if let key = booking.requestID, let (_, fingerprint) = try ctx.tx.booking(requestID: key), let fingerprint,
                fingerprint != booking.fingerprint
            {
                throw AppError(.invalid, "this form was already sent with other details; open the request page again to make a new request")
            }
            let outcome = try place(ctx, booking, couple: booking.couple, contact: booking.contact, auditDetail: ["channel": "web"])
            if let note, !outcome.replayed {
                try ctx.tx.save(BookingNote(bookingID: outcome.booking.id, note: note, source: "web", createdAt: ctx.now))
            }
            let notices =
                outcome.replayed
                ? []
                : [
                    PendingNotice(kind: .requestReceived, bookingID: outcome.booking.id, recipients: emails),
                    PendingNotice(kind: .newRequest, bookingID: outcome.booking.id, recipients: []),
                ]
            return DateRequestOutcome(booking: outcome.booking, replayed: outcome.replayed, currency: ctx.settings.currency, notices: notices)
        }
    }

    /// The note a couple wrote with their request, if any (staff only).
    public func bookingNote(id: String) throws(AppError) -> BookingNote? {
        try read { ctx in try ctx.reader.bookingNote(bookingID: try ctx.booking(id).id) }
    }
}

/// What the couples' page may show: the practice's public terms and the free start dates of a few months,
/// nothing about any booking.
public struct PublicCalendar: Hashable, Sendable {
    /// The practice's name.
    public var practiceName: String
    /// Where to write (the organizer address).
    public var contactEmail: String
    /// Days in an intensive.
    public var intensiveDays: Int
    /// The day's hours, e.g. 09:00 and 17:00.
    public var dayStart: ClockTime
    /// The day's end.
    public var dayEnd: ClockTime
    /// Hours a requested date is held without a deposit.
    public var holdExpiryHours: Int
    /// The price, formatted in the practice's currency.
    public var price: String
    /// The deposit that keeps a hold, formatted.
    public var deposit: String
    /// Today in the practice's zone.
    public var today: CalendarDay
    /// The practice's time zone (dates and hours on the page are in it).
    public var timeZone: TimeZone
    /// The first day of each month shown.
    public var months: [CalendarDay]
    /// Every start date in those months where an intensive can start on some resource, sorted.
    public var freeStarts: [CalendarDay]
    /// The first day of the month of the booking horizon's end (nothing can be requested after it).
    public var lastMonth: CalendarDay
}

extension RetreatService {
    /// The couples' view of `count` months from the month of `first` (default: this month), clamped to today's
    /// month and the booking horizon.
    public func publicCalendar(from first: CalendarDay? = nil, months count: Int) throws(AppError) -> PublicCalendar {
        try read { ctx in
            let today = ctx.today
            let thisMonth = CalendarDay(year: today.year, month: today.month, day: 1) ?? today
            let horizon = today.adding(months: ctx.settings.horizonMonths)
            let lastMonth = CalendarDay(year: horizon.year, month: horizon.month, day: 1) ?? horizon
            var start = first.flatMap { CalendarDay(year: $0.year, month: $0.month, day: 1) } ?? thisMonth
            start = min(max(start, thisMonth), lastMonth)
            let months = (0..<max(1, count)).map { start.adding(months: $0) }.filter { $0 <= lastMonth }
            let end = (months.last ?? start).adding(months: 1).adding(days: -1)
            let slots = try ctx.scheduler().availability(from: max(start, today), to: end, resource: nil)
            let starts = Array(Set(slots.map(\.start))).sorted()
            let settings = ctx.settings
            let profile = try ctx.reader.profile()
            let deposit = Money.percentage(settings.depositPercent, of: settings.priceCents)
            return PublicCalendar(
                practiceName: profile.name, contactEmail: profile.organizerEmail, intensiveDays: settings.intensiveDays, dayStart: settings.dayStart,
                dayEnd: settings.dayEnd, holdExpiryHours: settings.holdExpiryHours,
                price: Money.format(cents: settings.priceCents, currency: settings.currency),
                deposit: Money.format(cents: deposit, currency: settings.currency), today: today, timeZone: settings.timeZone, months: months,
                freeStarts: starts, lastMonth: lastMonth)
        }
    }
}
