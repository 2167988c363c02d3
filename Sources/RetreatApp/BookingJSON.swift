import Foundation
import RetreatScheduling

/// JSON shape of a booking for scripts: what `retreat book|confirm|cancel|reschedule|pay|list --json` print and
/// what the staff API answers, one type for both so they cannot drift apart.
public struct BookingJSON: Codable, Hashable, Sendable {
    public var id: String
    public var couple: String
    public var start: CalendarDay
    public var end: CalendarDay
    public var status: String
    public var resource: String
    public var sequence: Int
    /// Left out of listings unless asked for (`list --with-priorities`, `GET /api/bookings?with-priorities=true`):
    /// priority issues are clinical.
    public var priorities: [String]?
    public var priceCents: Int
    public var depositCents: Int
    public var depositDue: CalendarDay
    public var paidCents: Int
    public var balanceCents: Int
    public var creditCents: Int
    public var holdExpiresAt: Date?
    public var refundCents: Int?
    public var refundPercent: Int?
    public var cancellationReason: String?
    /// True when an earlier identical request with the same id made this booking (book only).
    public var replayed: Bool?

    /// The JSON of `b`.
    public init(_ b: Booking, replayed: Bool? = nil) {
        id = b.id
        couple = b.couple
        start = b.start
        end = b.end
        status = b.status.rawValue
        resource = b.resource
        sequence = b.sequence
        priorities = b.priorities
        priceCents = b.priceCents
        depositCents = b.deposit.amountCents
        depositDue = b.deposit.due
        paidCents = b.paidCents
        balanceCents = b.balanceCents
        creditCents = b.creditCents
        holdExpiresAt = b.holdExpiresAt
        refundCents = b.refundCents
        refundPercent = b.refundPercent
        cancellationReason = b.cancellationReason
        self.replayed = replayed
    }
}
