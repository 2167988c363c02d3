import Foundation

/// An intensive booking: a couple, the days it occupies on one resource, its status and its money.
///
/// The span (`intensiveDays` + `turnoverDays`) is the one in force when the booking was made or last
/// moved; it is stored with the booking and is the only truth for what the booking occupies, whatever
/// the practice settings say later.
public struct Booking: Hashable, Codable, Sendable {
    /// Short id staff type, e.g. `B0007`.
    public var id: String
    /// The couple's display name (private: never written to shared calendars).
    public var couple: String
    /// Private contact (e-mail addresses, comma separated), optional.
    public var contact: String?
    /// The resource (counselor or venue) the intensive runs on.
    public var resource: String
    /// First intensive day.
    public var start: CalendarDay
    /// Number of intensive days.
    public var intensiveDays: Int
    /// Turnover days after the last intensive day, during which the resource stays blocked.
    public var turnoverDays: Int
    /// Lifecycle state.
    public var status: BookingStatus
    /// Bumped by every reschedule and status change clients must see.
    public var sequence: Int
    /// Ranked priority issues, rank 1 first.
    public var priorities: [String]
    /// Price in cents.
    public var priceCents: Int
    /// The deposit owed and its due date.
    public var deposit: Deposit
    /// Payments (and refunds, negative) recorded, oldest first.
    public var payments: [Payment]
    /// When the booking was made.
    public var createdAt: Date
    /// When a hold lapses unless its deposit is recorded (nil for confirmed bookings).
    public var holdExpiresAt: Date?
    /// Refund recorded at cancellation.
    public var refundCents: Int?
    /// Refund tier applied at cancellation.
    public var refundPercent: Int?
    /// Practice-local day of the cancellation.
    public var cancelledOn: CalendarDay?
    /// Why it was cancelled (staff only).
    public var cancellationReason: String?
    /// Idempotency key of the request that created it.
    public var requestID: String?

    /// Creates a booking.
    public init(
        id: String, couple: String, contact: String? = nil, resource: String, start: CalendarDay, intensiveDays: Int,
        turnoverDays: Int, status: BookingStatus, sequence: Int = 0, priorities: [String] = [], priceCents: Int,
        deposit: Deposit, payments: [Payment] = [], createdAt: Date, holdExpiresAt: Date? = nil, refundCents: Int? = nil,
        refundPercent: Int? = nil, cancelledOn: CalendarDay? = nil, cancellationReason: String? = nil, requestID: String? = nil
    ) {
        self.id = id
        self.couple = couple
        self.contact = contact
        self.resource = resource
        self.start = start
        self.intensiveDays = intensiveDays
        self.turnoverDays = turnoverDays
        self.status = status
        self.sequence = sequence
        self.priorities = priorities
        self.priceCents = priceCents
        self.deposit = deposit
        self.payments = payments
        self.createdAt = createdAt
        self.holdExpiresAt = holdExpiresAt
        self.refundCents = refundCents
        self.refundPercent = refundPercent
        self.cancelledOn = cancelledOn
        self.cancellationReason = cancellationReason
        self.requestID = requestID
    }

    /// Last intensive day (inclusive).
    public var end: CalendarDay { start.adding(days: max(1, intensiveDays) - 1) }
    /// Last turnover day (inclusive); `end` when there is no turnover.
    public var lastOccupiedDay: CalendarDay { end.adding(days: max(0, turnoverDays)) }
    /// The intensive days, in order.
    public var days: [CalendarDay] { (0..<max(1, intensiveDays)).map { start.adding(days: $0) } }
    /// What the booking occupies, for the scheduler.
    public var occupancy: Occupancy {
        Occupancy(bookingID: id, resource: resource, start: start, status: status, intensiveDays: intensiveDays, turnoverDays: turnoverDays)
    }

    /// Sum of the payments that count (voided ones do not; refunds are negative).
    public var paidCents: Int { payments.reduce(0) { $1.voided ? $0 : $0 &+ $1.amountCents } }
    /// What is still owed on the price (0 once paid, and for bookings that are no longer live).
    public var balanceCents: Int {
        let (owed, overflow) = priceCents.subtractingReportingOverflow(paidCents)
        return status.isLive && !overflow ? max(0, owed) : 0
    }
    /// What was paid beyond the price of a live or completed booking: a credit the practice owes back.
    /// (A cancelled booking's overpayment is part of its recorded refund.)
    public var creditCents: Int {
        let (credit, overflow) = paidCents.subtractingReportingOverflow(priceCents)
        return (status.isLive || status == .completed) && !overflow ? max(0, credit) : 0
    }
    /// True when a live booking's deposit is due before `day` and not yet covered.
    public func depositOverdue(on day: CalendarDay) -> Bool {
        status.isLive && paidCents < deposit.amountCents && deposit.due < day
    }

    private enum CodingKeys: String, CodingKey {
        case id, couple, contact, resource, start, end, intensiveDays, turnoverDays, status, sequence, priorities, priceCents
        case deposit, payments, createdAt, holdExpiresAt, refundCents, refundPercent, cancelledOn, cancellationReason, requestID
    }

    /// Decodes a booking (the derived `end` is ignored).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), couple: try c.decode(String.self, forKey: .couple),
            contact: try c.decodeIfPresent(String.self, forKey: .contact), resource: try c.decode(String.self, forKey: .resource),
            start: try c.decode(CalendarDay.self, forKey: .start), intensiveDays: try c.decode(Int.self, forKey: .intensiveDays),
            turnoverDays: try c.decode(Int.self, forKey: .turnoverDays), status: try c.decode(BookingStatus.self, forKey: .status),
            sequence: try c.decode(Int.self, forKey: .sequence), priorities: try c.decode([String].self, forKey: .priorities),
            priceCents: try c.decode(Int.self, forKey: .priceCents), deposit: try c.decode(Deposit.self, forKey: .deposit),
            payments: try c.decode([Payment].self, forKey: .payments), createdAt: try c.decode(Date.self, forKey: .createdAt),
            holdExpiresAt: try c.decodeIfPresent(Date.self, forKey: .holdExpiresAt),
            refundCents: try c.decodeIfPresent(Int.self, forKey: .refundCents), refundPercent: try c.decodeIfPresent(Int.self, forKey: .refundPercent),
            cancelledOn: try c.decodeIfPresent(CalendarDay.self, forKey: .cancelledOn),
            cancellationReason: try c.decodeIfPresent(String.self, forKey: .cancellationReason),
            requestID: try c.decodeIfPresent(String.self, forKey: .requestID))
    }

    /// Encodes every field plus the derived `end`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(couple, forKey: .couple)
        try c.encodeIfPresent(contact, forKey: .contact)
        try c.encode(resource, forKey: .resource)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(intensiveDays, forKey: .intensiveDays)
        try c.encode(turnoverDays, forKey: .turnoverDays)
        try c.encode(status, forKey: .status)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(priorities, forKey: .priorities)
        try c.encode(priceCents, forKey: .priceCents)
        try c.encode(deposit, forKey: .deposit)
        try c.encode(payments, forKey: .payments)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encodeIfPresent(holdExpiresAt, forKey: .holdExpiresAt)
        try c.encodeIfPresent(refundCents, forKey: .refundCents)
        try c.encodeIfPresent(refundPercent, forKey: .refundPercent)
        try c.encodeIfPresent(cancelledOn, forKey: .cancelledOn)
        try c.encodeIfPresent(cancellationReason, forKey: .cancellationReason)
        try c.encodeIfPresent(requestID, forKey: .requestID)
    }
}

/// How the practice appears in calendars and messages it sends.
public struct PracticeProfile: Hashable, Codable, Sendable {
    /// The practice's name, e.g. in calendar names.
    public var name: String
    /// ORGANIZER address of every event (RFC 5546 requires one).
    public var organizerEmail: String
    /// ORGANIZER display name.
    public var organizerName: String
    /// LOCATION of intensive days.
    public var location: String?

    /// Creates a profile.
    public init(name: String = "Retreat", organizerEmail: String = "intensives@example.org", organizerName: String = "Retreat staff", location: String? = nil) {
        self.name = name
        self.organizerEmail = organizerEmail
        self.organizerName = organizerName
        self.location = location
    }
}

/// A counseling series with its private contact and state.
public struct StoredSeries: Hashable, Codable, Sendable {
    /// The series and its exceptions.
    public var series: CounselingSeries
    /// Partners' e-mail addresses, for invitations.
    public var contact: String?
    /// False once the whole series is cancelled.
    public var active: Bool
    /// When it was booked.
    public var createdAt: Date

    /// Creates a record.
    public init(series: CounselingSeries, contact: String?, active: Bool, createdAt: Date) {
        self.series = series
        self.contact = contact
        self.active = active
        self.createdAt = createdAt
    }
}

/// One audit log line: who changed what, when, with the values before and after.
public struct AuditEntry: Hashable, Codable, Sendable {
    /// Position in the log (assigned by the store).
    public var id: Int64
    /// When.
    public var at: Date
    /// Who (`$RETREAT_ACTOR`, the account name, or "system").
    public var actor: String
    /// What, e.g. "book", "cancel", "settings".
    public var action: String
    /// The kind of record changed: "booking", "series", "blackout", "waitlist", "settings", "store".
    public var entity: String
    /// Its id.
    public var entityID: String
    /// Details as a JSON object (sorted keys), with "before"/"after" values for edits.
    public var detail: String

    /// Creates an entry.
    public init(id: Int64 = 0, at: Date, actor: String, action: String, entity: String, entityID: String, detail: String = "{}") {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.detail = detail
    }
}
