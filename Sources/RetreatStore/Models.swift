import Foundation
import RetreatScheduling

/// An intensive booking as stored.
public struct Booking: Hashable, Codable, Sendable {
    /// Short id staff type, e.g. `B0007`.
    public var id: String
    /// The couple's display name (private: never written to shared calendars).
    public var couple: String
    /// Private contact (e-mail addresses), optional.
    public var contact: String?
    public var resource: String
    public var start: CalendarDay
    /// Last intensive day (inclusive).
    public var end: CalendarDay
    public var status: BookingStatus
    /// Bumped by every reschedule and status change clients must see.
    public var sequence: Int
    /// Ranked priority issues, rank 1 first.
    public var priorities: [String]
    public var priceCents: Int
    public var deposit: Deposit
    public var payments: [Payment]
    public var createdAt: Date
    /// When a hold lapses unless its deposit is recorded.
    public var holdExpiresAt: Date?
    public var refundCents: Int?
    public var refundPercent: Int?
    public var cancelledOn: CalendarDay?
    public var requestID: String?

    /// Sum of payments received.
    public var paidCents: Int { payments.reduce(0) { $0 + $1.amountCents } }
    /// What is still owed on the price (0 once paid, and for cancelled bookings).
    public var balanceCents: Int { status.isLive ? max(0, priceCents - paidCents) : 0 }
    /// True when a live booking's deposit is due on or before `day` and not yet covered.
    public func depositOverdue(on day: CalendarDay) -> Bool {
        status.isLive && paidCents < deposit.amountCents && deposit.due < day
    }
}

/// A waitlist entry with its stored state.
public struct WaitlistRecord: Hashable, Codable, Sendable {
    public var entry: WaitlistEntry
    public var contact: String?
}

/// One audit log line.
public struct AuditEntry: Hashable, Codable, Sendable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var entity: String
    public var entityID: String
    public var detail: String
}

/// What a booking command returns.
public struct BookingOutcome: Hashable, Sendable {
    public var booking: Booking
    /// True when an earlier command with the same request id produced this booking.
    public var replayed: Bool
    /// Waitlist entries that now have a free start (after a cancellation or an expiry).
    public var offers: [WaitlistOffer]
}

/// How the practice appears in calendars it sends.
public struct PracticeProfile: Hashable, Codable, Sendable {
    /// The practice's name, e.g. in calendar names.
    public var name: String
    /// ORGANIZER address of every event (RFC 5546 requires one).
    public var organizerEmail: String
    public var organizerName: String
    /// LOCATION of intensive days.
    public var location: String?

    public init(name: String = "Retreat", organizerEmail: String = "intensives@example.org", organizerName: String = "Retreat staff", location: String? = nil) {
        self.name = name
        self.organizerEmail = organizerEmail
        self.organizerName = organizerName
        self.location = location
    }

    init(pairs: [String: String]) {
        self.init()
        if let v = pairs["name"] { name = v }
        if let v = pairs["organizerEmail"] { organizerEmail = v }
        if let v = pairs["organizerName"] { organizerName = v }
        location = pairs["location"]
    }

    var pairs: [(String, String)] {
        [("name", name), ("organizerEmail", organizerEmail), ("organizerName", organizerName)] + (location.map { [("location", $0)] } ?? [])
    }
}
