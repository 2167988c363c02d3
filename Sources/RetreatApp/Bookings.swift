import Foundation
import RetreatScheduling
import RetreatStore

/// A request to book or hold an intensive.
public struct BookingRequest: Hashable, Sendable {
    /// The couple's display name.
    public var couple: String
    /// Partners' e-mail addresses, comma separated.
    public var contact: String?
    /// First intensive day.
    public var start: CalendarDay
    /// A named resource, or nil for the first free one.
    public var resource: String?
    /// Ranked priority issues, most important first.
    public var priorities: [String]
    /// A hold (lapses unless its deposit is recorded in time) rather than a confirmed booking.
    public var hold: Bool
    /// Price in cents; nil for the practice's price.
    public var priceCents: Int?
    /// Idempotency key: the same key with the same request returns the first result instead of booking twice.
    public var requestID: String?
    /// The waitlist entry this booking comes from, if any (marked booked with it).
    public var waitlistEntryID: Int64?

    /// Creates a request.
    public init(
        couple: String, contact: String? = nil, start: CalendarDay, resource: String? = nil, priorities: [String] = [],
        hold: Bool = false, priceCents: Int? = nil, requestID: String? = nil, waitlistEntryID: Int64? = nil
    ) {
        self.couple = couple
        self.contact = contact
        self.start = start
        self.resource = resource
        self.priorities = priorities
        self.hold = hold
        self.priceCents = priceCents
        self.requestID = requestID
        self.waitlistEntryID = waitlistEntryID
    }

    /// A stable fingerprint of everything the request asks for (not the key itself): a retry with the same key
    /// must ask for the same thing.
    var fingerprint: String {
        let fields = [
            couple, contact ?? "", start.description, resource ?? "", priorities.joined(separator: ","), hold ? "hold" : "book",
            priceCents.map(String.init) ?? "", waitlistEntryID.map { String($0) } ?? "",
        ]
        return Fingerprint.of(fields)
    }
}

/// How amounts and instants read for this practice: its currency and its time zone.
public struct PracticeDisplay: Hashable, Sendable {
    /// ISO 4217 currency of every amount.
    public var currency: String
    /// The practice's time zone, for instants such as a hold's lapse.
    public var timeZone: TimeZone

    init(_ settings: PracticeSettings) {
        currency = settings.currency
        timeZone = settings.timeZone
    }
}

/// What a booking change returns.
public struct BookingOutcome: Hashable, Sendable {
    /// The booking as it now stands.
    public var booking: Booking
    /// True when an earlier identical request with the same key produced this booking.
    public var replayed: Bool
    /// Waitlist entries that now have a free start (after a cancellation, a move or an expiry).
    public var offers: [WaitlistOffer]
    /// How to show its amounts and times.
    public var display: PracticeDisplay
    /// E-mail queued for the couple by this change (`retreat notify` sends it).
    public var queued: [OutboxEntry] = []
}

/// Bookings with how to show them.
public struct BookingList: Hashable, Sendable {
    /// The bookings, by start date.
    public var bookings: [Booking]
    /// How to show their amounts and times.
    public var display: PracticeDisplay
}

/// One booking with its history.
public struct BookingDetail: Hashable, Sendable {
    /// The booking.
    public var booking: Booking
    /// Its audit log entries, oldest first.
    public var history: [AuditEntry]
    /// How to show its amounts and times.
    public var display: PracticeDisplay
    /// What the couple wrote with their request for dates, if it came from the couples' page (staff only).
    public var note: String? = nil
}

/// Filters for `list`.
public struct BookingFilter: Hashable, Sendable {
    /// Only bookings whose intensive days end on or after this day.
    public var from: CalendarDay?
    /// Only bookings starting on or before this day.
    public var to: CalendarDay?
    /// Only these statuses (empty: all).
    public var statuses: Set<BookingStatus>
    /// Only bookings with a balance still owed or a credit to return.
    public var owing: Bool
    /// Only live bookings whose deposit is past due and not covered.
    public var depositOverdue: Bool

    /// Creates a filter.
    public init(from: CalendarDay? = nil, to: CalendarDay? = nil, statuses: Set<BookingStatus> = [], owing: Bool = false, depositOverdue: Bool = false) {
        self.from = from
        self.to = to
        self.statuses = statuses
        self.owing = owing
        self.depositOverdue = depositOverdue
    }
}

extension RetreatService {
    /// Books (or holds) an intensive in one transaction.
    /// - Throws: `.conflict` naming the taken dates (never another couple), `.invalid` for a start in the past,
    ///   `.badInput` for an unknown resource or priority, a different request reusing a request id.
    public func book(_ request: BookingRequest) throws(AppError) -> BookingOutcome {
        let couple = try Input.name(request.couple, option: "--couple")
        let contact = try Input.contact(request.contact, option: "--contact")
        if let price = request.priceCents { try Input.amount(price, option: "--price") }
        if let key = request.requestID { _ = try Input.name(key, option: "--request-id", maxLength: 128) }
        return try write { ctx in try place(ctx, request, couple: couple, contact: contact) }
    }

    /// Books or holds inside `ctx`'s transaction, with `couple` and `contact` already checked: what `book` and
    /// a couple's request for dates both do. `auditDetail` is added to the audit entry.
    func place(_ ctx: WriteContext, _ request: BookingRequest, couple: String, contact: String?, auditDetail: [String: String] = [:]) throws
        -> BookingOutcome
    {
        if let key = request.requestID, let (existing, fingerprint) = try ctx.tx.booking(requestID: key) {
            guard fingerprint == nil || fingerprint == request.fingerprint else {
                throw AppError(.invalid, "request id \(key) was already used for a different request; use a new --request-id")
            }
            return BookingOutcome(booking: ctx.base.current(existing), replayed: true, offers: [], display: PracticeDisplay(ctx.settings))
        }
        let priorities = try AgendaRules.checkedPriorities(request.priorities, ctx.base, option: "--priority")
        let slot = try allocate(ctx.base, start: request.start, resources: request.resource.map { [$0] }, ignoring: nil)
        var entry: WaitlistEntry?
        if let id = request.waitlistEntryID {
            guard let found = try ctx.tx.waitlist().first(where: { $0.id == id && $0.status == .waiting }) else {
                throw AppError(.notFound, "no waiting waitlist entry with id \(id); `retreat waitlist list` shows them")
            }
            entry = found
        }
        let number = try ctx.tx.lastBookingNumber() + 1
        let price = request.priceCents ?? ctx.settings.priceCents
        let terms = ctx.settings.terms(priceCents: price, createdAt: ctx.now, start: slot.start, hold: request.hold)
        let booking = Booking(
            id: String(format: "B%04d", number), couple: couple, contact: contact, resource: slot.resource, start: slot.start,
            intensiveDays: ctx.settings.intensiveDays, turnoverDays: ctx.settings.turnoverDays, status: request.hold ? .held : .confirmed,
            priorities: priorities, priceCents: price, deposit: terms.deposit, createdAt: ctx.now, holdExpiresAt: terms.holdExpiresAt,
            requestID: request.requestID)
        try ctx.tx.insert(booking, requestFingerprint: request.requestID == nil ? nil : request.fingerprint)
        if var entry {
            entry.status = .booked
            entry.bookingID = booking.id
            try ctx.tx.update(entry)
            try ctx.audit("waitlist-book", "waitlist", String(entry.id ?? 0), ["booking": booking.id])
        }
        let detail = ["start": slot.start.description, "resource": slot.resource, "priceCents": String(price)].merging(auditDetail) { a, _ in a }
        try ctx.audit(request.hold ? "hold" : "book", "booking", booking.id, detail)
        let queued = try CoupleInvitations.sync(ctx, booking: booking)
        return BookingOutcome(
            booking: booking, replayed: false, offers: [], display: PracticeDisplay(ctx.settings), queued: queued.map(OutboxEntry.init))
    }

    /// Confirms a hold (a confirmed booking is returned unchanged).
    public func confirm(id: String) throws(AppError) -> Booking {
        try write { ctx in
            var b = try ctx.base.booking(id)
            switch b.status {
            case .held: break
            case .confirmed: return b
            case .expired: throw AppError(.conflict, "booking \(b.id)'s hold expired before it was confirmed; book again")
            default: throw AppError(.invalid, "booking \(b.id) is \(b.status.rawValue) and cannot be confirmed")
            }
            b.status = .confirmed
            b.holdExpiresAt = nil
            b.sequence += 1
            try ctx.tx.update(b)
            try ctx.audit("confirm", "booking", b.id, before: ["status": "held"], after: ["status": "confirmed"])
            try CoupleInvitations.sync(ctx, booking: b)
            return b
        }
    }

    /// Cancels a live booking, records the refund its policy tier gives (overpayments always returned) and the
    /// reason, and returns the waitlist offers that follow.
    public func cancel(id: String, reason: String? = nil) throws(AppError) -> BookingOutcome {
        let reason = try Input.note(reason, option: "--reason")
        return try write { ctx in
            var b = try ctx.base.booking(id)
            guard b.status.isLive else { throw AppError(.invalid, "booking \(b.id) is already \(b.status.rawValue)") }
            let refund = ctx.settings.refund(paidCents: b.paidCents, priceCents: b.priceCents, cancelledOn: ctx.today, start: b.start)
            b.status = .cancelled
            b.sequence += 1
            b.refundCents = refund.amountCents
            b.refundPercent = refund.percent
            b.cancelledOn = ctx.today
            b.cancellationReason = reason
            b.holdExpiresAt = nil
            try ctx.tx.update(b)
            var detail = ["refundCents": String(refund.amountCents), "refundPercent": String(refund.percent)]
            if let reason { detail["reason"] = reason }
            try ctx.audit("cancel", "booking", b.id, detail)
            try Agendas.markStale(ctx, bookingID: b.id, reason: "the booking was cancelled")
            let queued = try CoupleInvitations.sync(ctx, booking: b)
            return BookingOutcome(
                booking: b, replayed: false, offers: try ctx.base.offers(), display: PracticeDisplay(ctx.settings),
                queued: queued.map(OutboxEntry.init))
        }
    }

    /// Moves a live booking to a new start (same id, sequence + 1), keeping its resource when free, else the
    /// first free one; it may overlap its own old dates. The booking takes the span of today's settings.
    public func reschedule(id: String, to start: CalendarDay, resource: String? = nil) throws(AppError) -> BookingOutcome {
        try write { ctx in
            var b = try ctx.base.booking(id)
            guard b.status.isLive else { throw AppError(.invalid, "booking \(b.id) is \(b.status.rawValue) and cannot be rescheduled") }
            guard b.start > ctx.today else { throw AppError(.invalid, "booking \(b.id)'s intensive began on \(b.start); it cannot be moved now") }
            let preferred = resource.map { [$0] } ?? [b.resource] + ctx.settings.resources.filter { $0 != b.resource }
            let slot = try allocate(ctx.base, start: start, resources: preferred, ignoring: b.id)
            let before = ["start": b.start.description, "resource": b.resource]
            b.start = slot.start
            b.resource = slot.resource
            b.intensiveDays = ctx.settings.intensiveDays
            b.turnoverDays = ctx.settings.turnoverDays
            b.sequence += 1
            try ctx.tx.update(b)
            try ctx.audit("reschedule", "booking", b.id, before: before, after: ["start": b.start.description, "resource": b.resource])
            try Agendas.markStale(ctx, bookingID: b.id, reason: "the booking moved from \(before["start"] ?? "") to \(b.start)")
            let queued = try CoupleInvitations.sync(ctx, booking: b)
            return BookingOutcome(
                booking: b, replayed: false, offers: try ctx.base.offers(), display: PracticeDisplay(ctx.settings),
                queued: queued.map(OutboxEntry.init))
        }
    }

    /// One booking.
    public func booking(id: String) throws(AppError) -> Booking {
        try read { ctx in try ctx.booking(id) }
    }

    /// One booking with its audit history, for `show`.
    public func bookingDetail(id: String) throws(AppError) -> BookingDetail {
        try read { ctx in
            let b = try ctx.booking(id)
            return BookingDetail(
                booking: b, history: try ctx.reader.auditLog(entityID: b.id), display: PracticeDisplay(ctx.settings),
                note: try ctx.reader.bookingNote(bookingID: b.id)?.note)
        }
    }

    /// Bookings matching a filter, by start date.
    public func bookings(_ filter: BookingFilter = BookingFilter()) throws(AppError) -> [Booking] {
        try bookingList(filter).bookings
    }

    /// Bookings matching a filter, by start date, with how to show them.
    public func bookingList(_ filter: BookingFilter = BookingFilter()) throws(AppError) -> BookingList {
        try read { ctx in
            let today = ctx.today
            let bookings = try ctx.bookings(BookingQuery(from: filter.from, to: filter.to, statuses: filter.statuses)).filter { b in
                (!filter.owing || b.balanceCents > 0 || b.creditCents > 0) && (!filter.depositOverdue || b.depositOverdue(on: today))
            }
            return BookingList(bookings: bookings, display: PracticeDisplay(ctx.settings))
        }
    }

    /// The first of `resources` (default: all, in order) where an intensive can start on `start` and whose
    /// counselor has no counseling session on its intensive or turnover days; else every reason, as an error.
    func allocate(_ ctx: ReadContext, start: CalendarDay, resources: [String]?, ignoring: String?) throws -> Slot {
        for r in resources ?? [] { try ctx.requireResource(r) }
        // Starting today is possible only before today's session hours begin.
        if start == ctx.today, ctx.now >= LocalTime(day: start, time: ctx.settings.dayStart).instant(in: ctx.settings.timeZone) {
            throw AppError(.invalid, "cannot start an intensive on \(start): its first session at \(ctx.settings.dayStart) has already begun")
        }
        let scheduler = try ctx.scheduler()
        let series = try ctx.reader.allSeries()
        var sessionClashes: [String] = []
        var rejections: [RejectionDetail] = []
        for resource in resources ?? ctx.settings.resources {
            switch scheduler.allocate(start: start, resource: resource, ignoring: ignoring) {
            case .failure(let failure):
                rejections += failure.rejections.filter { !rejections.contains($0) }
            case .success(let slot):
                let clashes = Clashes.sessions(on: scheduler.occupiedDays(startingOn: slot.start), resource: resource, series: series)
                if clashes.isEmpty { return slot }
                sessionClashes += clashes
            }
        }
        if !sessionClashes.isEmpty {
            throw AppError(.conflict, "cannot start an intensive on \(start): \(sessionClashes.joined(separator: "; ")); move or cancel those sessions first")
        }
        var seen = Set<String>()
        let text = rejections.map(\.message).filter { seen.insert($0).inserted }.joined(separator: "; ")
        let kind: AppError.Kind = rejections.contains { $0.reason == .past } ? .invalid : .conflict
        throw AppError(kind, "cannot start an intensive on \(start): \(text)", rejections: rejections)
    }
}

/// A short, stable digest of a list of fields (FNV-1a, 64 bits), to tell two requests apart. Not a secret.
enum Fingerprint {
    static func of(_ fields: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in fields.joined(separator: "\u{1F}").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// Corrections staff make to a booking after the fact; nil leaves a field as it is.
public struct BookingEdit: Hashable, Sendable {
    /// The couple's display name.
    public var couple: String?
    /// Partners' e-mail addresses (an empty text removes them).
    public var contact: String?
    /// Price in cents (the deposit follows: the practice's deposit percentage of the new price).
    public var priceCents: Int?
    /// Another resource for the same dates (checked like a booking).
    public var resource: String?

    /// Creates an edit.
    public init(couple: String? = nil, contact: String? = nil, priceCents: Int? = nil, resource: String? = nil) {
        self.couple = couple
        self.contact = contact
        self.priceCents = priceCents
        self.resource = resource
    }

    /// Whether it changes anything at all.
    public var isEmpty: Bool { couple == nil && contact == nil && priceCents == nil && resource == nil }
}

extension RetreatService {
    /// Corrects a booking's couple name, contact, price or resource, each checked as at booking, audited with
    /// the values before and after. Moving to another resource keeps the dates and must find them free there.
    public func edit(id: String, _ edit: BookingEdit) throws(AppError) -> Booking {
        guard !edit.isEmpty else { throw AppError(.badInput, "give at least one of --couple, --contact, --price, --resource") }
        let couple = try edit.couple.map { (name: String) throws(AppError) -> String in try Input.name(name, option: "--couple") }
        let contact = try edit.contact.map { (text: String) throws(AppError) -> String? in try Input.contact(text, option: "--contact") }
        if let price = edit.priceCents { try Input.amount(price, option: "--price") }
        return try write { ctx in
            var b = try ctx.base.booking(id)
            guard b.status.isLive || b.status == .completed else {
                throw AppError(.invalid, "booking \(b.id) is \(b.status.rawValue); only live or completed bookings can be edited")
            }
            var before: [String: String] = [:]
            var after: [String: String] = [:]
            if let couple, couple != b.couple {
                before["couple"] = b.couple
                after["couple"] = couple
                b.couple = couple
            }
            if let contact, contact != b.contact {
                before["contact"] = b.contact ?? ""
                after["contact"] = contact ?? ""
                b.contact = contact
            }
            if let price = edit.priceCents, price != b.priceCents {
                before["priceCents"] = String(b.priceCents)
                after["priceCents"] = String(price)
                b.priceCents = price
                b.deposit.amountCents = Money.percentage(ctx.settings.depositPercent, of: price)
            }
            if let resource = edit.resource, resource != b.resource {
                guard b.status.isLive else { throw AppError(.invalid, "booking \(b.id) is \(b.status.rawValue); its resource cannot change") }
                let slot = try allocate(ctx.base, start: b.start, resources: [resource], ignoring: b.id)
                before["resource"] = b.resource
                after["resource"] = slot.resource
                b.resource = slot.resource
                b.sequence += 1
            }
            guard !after.isEmpty else { return b }
            try ctx.tx.update(b)
            try ctx.audit("edit", "booking", b.id, before: before, after: after)
            try CoupleInvitations.sync(ctx, booking: b)
            return b
        }
    }
}
