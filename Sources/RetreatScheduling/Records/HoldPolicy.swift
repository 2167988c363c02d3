import Foundation

/// What a new booking owes and, for a hold, when it lapses: one rule for both.
public struct BookingTerms: Hashable, Sendable {
    /// The deposit and the practice-local day it is due.
    public var deposit: Deposit
    /// When a hold lapses unless its deposit is recorded; nil for a confirmed booking.
    public var holdExpiresAt: Date?
}

extension PracticeSettings {
    /// The terms of a booking of `priceCents` made at `createdAt` for an intensive starting on `start`.
    ///
    /// The deposit is `depositPercent`% of the price. A hold lapses `holdExpiryHours` after it was made (never
    /// after the start day begins), and its deposit is due on the practice-local day it lapses: a hold never
    /// lapses before its deposit is due. A confirmed booking's deposit is due `depositDueDays` after booking,
    /// but no later than the day before the start and never before the booking day.
    public func terms(priceCents: Int, createdAt: Date, start: CalendarDay, hold: Bool) -> BookingTerms {
        let zone = timeZone
        let today = CalendarDay.today(at: createdAt, in: zone)
        let amount = Money.percentage(depositPercent, of: priceCents)
        if hold {
            let lapse = min(holdExpiry(createdAt: createdAt), max(createdAt, start.firstInstant(in: zone)))
            return BookingTerms(deposit: Deposit(amountCents: amount, due: CalendarDay.today(at: lapse, in: zone)), holdExpiresAt: lapse)
        }
        return BookingTerms(deposit: deposit(priceCents: priceCents, bookedOn: today, start: start), holdExpiresAt: nil)
    }
}

/// The hold rule: when a held booking stops occupying its dates.
public enum HoldPolicy {
    /// Whether `booking` is a hold that has lapsed at `now`: its expiry has come and its deposit is not
    /// fully recorded. A hold that owes no deposit lapses at its expiry unless it was confirmed; a hold whose
    /// (positive) deposit is recorded stays until staff confirm or cancel it.
    public static func hasLapsed(_ booking: Booking, at now: Date) -> Bool {
        guard booking.status == .held, let expiry = booking.holdExpiresAt, expiry <= now else { return false }
        return booking.deposit.amountCents == 0 || booking.paidCents < booking.deposit.amountCents
    }
}

/// Where a booking stands at a given moment, as opposed to what was last written: a hold whose time is up has
/// lapsed, and a confirmed intensive whose last day has passed has taken place.
public enum Lifecycle {
    /// `booking` with the status it has at `now` (`today` in the practice's zone).
    public static func current(_ booking: Booking, now: Date, today: CalendarDay) -> Booking {
        var b = booking
        if HoldPolicy.hasLapsed(b, at: now) {
            b.status = .expired
        } else if b.status == .confirmed && b.end < today {
            b.status = .completed
        }
        return b
    }
}
