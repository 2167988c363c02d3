import Foundation

/// A payment received against a booking.
public struct Payment: Hashable, Codable, Sendable {
    /// Amount in cents (negative for a refund).
    public var amountCents: Int
    /// The day it was received.
    public var date: CalendarDay
    /// Optional free-text note.
    public var note: String?

    /// Creates a payment.
    public init(amountCents: Int, date: CalendarDay, note: String? = nil) {
        self.amountCents = amountCents
        self.date = date
        self.note = note
    }
}

/// An amount of money in cents of `currency`.
public struct Money: Hashable, Codable, Sendable, CustomStringConvertible {
    /// Amount in cents (hundredths of the currency unit).
    public var cents: Int
    /// ISO 4217 currency code.
    public var currency: String

    /// Creates an amount.
    public init(cents: Int, currency: String) {
        self.cents = cents
        self.currency = currency
    }

    /// Formatted as by `format(cents:currency:)`.
    public var description: String {
        Money.format(cents: cents, currency: currency)
    }

    /// Formats cents with thousands separators and two decimals: `450000, "USD"` → `"4,500.00 USD"`,
    /// `-1250` → `"-12.50 USD"`. Locale independent.
    public static func format(cents: Int, currency: String) -> String {
        let magnitude = cents.magnitude
        let whole = String(magnitude / 100)
        var grouped = ""
        for (offset, character) in whole.enumerated() {
            if offset > 0 && (whole.count - offset) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        let fraction = magnitude % 100
        let fractionText = fraction < 10 ? "0\(fraction)" : "\(fraction)"
        return "\(cents < 0 ? "-" : "")\(grouped).\(fractionText) \(currency)"
    }

    /// `percent`% of `cents`, rounded half away from zero to whole cents.
    public static func percentage(_ percent: Int, of cents: Int) -> Int {
        let product = cents.magnitude * UInt(max(0, percent))
        let rounded = Int(clamping: (product + 50) / 100)
        return cents < 0 ? -rounded : rounded
    }
}

/// The deposit a booking owes.
public struct Deposit: Hashable, Codable, Sendable {
    /// Amount in cents.
    public var amountCents: Int
    /// The day it is due.
    public var due: CalendarDay

    /// Creates a deposit.
    public init(amountCents: Int, due: CalendarDay) {
        self.amountCents = amountCents
        self.due = due
    }
}

extension PracticeSettings {
    /// The deposit for a booking of `priceCents` made on `bookedOn` for an intensive starting on `start`:
    /// `depositPercent`% of the price rounded to whole cents, due
    /// `min(bookedOn + depositDueDays, start - 1)` but never before `bookedOn`.
    public func deposit(priceCents: Int, bookedOn: CalendarDay, start: CalendarDay) -> Deposit {
        let due = max(bookedOn, min(bookedOn.adding(days: depositDueDays), start.adding(days: -1)))
        return Deposit(amountCents: Money.percentage(depositPercent, of: priceCents), due: due)
    }

    /// The refund when cancelling on `cancelledOn` an intensive starting on `start`, of `paidCents`:
    /// the best (highest-percent) tier whose `minDaysBefore` is at most the days until the start,
    /// otherwise 0%. The amount is rounded half away from zero to whole cents.
    public func refund(paidCents: Int, cancelledOn: CalendarDay, start: CalendarDay) -> (percent: Int, amountCents: Int) {
        let daysBefore = cancelledOn.days(until: start)
        let percent =
            refundTiers
            .filter { $0.minDaysBefore <= daysBefore }
            .map { min(100, max(0, $0.percent)) }
            .max() ?? 0
        return (percent, Money.percentage(percent, of: paidCents))
    }

    /// When a hold created at `createdAt` lapses: `holdExpiryHours` hours later.
    public func holdExpiry(createdAt: Date) -> Date {
        createdAt.addingTimeInterval(TimeInterval(holdExpiryHours) * 3600)
    }
}

/// Whether a hold has lapsed: its expiry (`createdAt + holdExpiryHours`) is at or before `now` and
/// less than the deposit has been paid. A hold whose deposit is recorded (or which owes no deposit) never lapses.
public func holdHasLapsed(createdAt: Date, paidCents: Int, deposit: Deposit, settings: PracticeSettings, now: Date) -> Bool {
    settings.holdExpiry(createdAt: createdAt) <= now && paidCents < deposit.amountCents
}
