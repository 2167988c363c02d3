import Foundation

/// A payment received against a booking, or a refund paid back (negative).
public struct Payment: Hashable, Codable, Sendable {
    /// Storage identifier, if stored (`pay --void ID` names it).
    public var id: Int64?
    /// Amount in cents (negative for a refund).
    public var amountCents: Int
    /// The day it was received.
    public var date: CalendarDay
    /// Optional free-text note.
    public var note: String?
    /// True once voided (a mistaken entry): it stays on record but no longer counts.
    public var voided: Bool

    /// Creates a payment.
    public init(id: Int64? = nil, amountCents: Int, date: CalendarDay, note: String? = nil, voided: Bool = false) {
        self.id = id
        self.amountCents = amountCents
        self.date = date
        self.note = note
        self.voided = voided
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

    /// The largest amount Retreat records, in cents: 10,000,000.00 of any currency. Prices, payments and
    /// refunds above it are refused, so sums of a booking's payments can never overflow.
    public static let maximumCents = 1_000_000_000

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

    /// The refund when cancelling on `cancelledOn` an intensive of `priceCents` starting on `start`, of
    /// `paidCents` received: the best (highest-percent) tier whose `minDaysBefore` is at most the days until the
    /// start, otherwise 0%, of what was paid up to the price, plus everything paid beyond the price (an
    /// overpayment is always returned). Amounts are rounded half away from zero to whole cents.
    public func refund(paidCents: Int, priceCents: Int, cancelledOn: CalendarDay, start: CalendarDay) -> (percent: Int, amountCents: Int) {
        let daysBefore = cancelledOn.days(until: start)
        let percent =
            refundTiers
            .filter { $0.minDaysBefore <= daysBefore }
            .map { min(100, max(0, $0.percent)) }
            .max() ?? 0
        let paid = max(0, paidCents)
        let overpaid = max(0, paid - max(0, priceCents))
        return (percent, Money.percentage(percent, of: paid - overpaid) + overpaid)
    }

    /// When a hold created at `createdAt` lapses: `holdExpiryHours` hours later.
    public func holdExpiry(createdAt: Date) -> Date {
        createdAt.addingTimeInterval(TimeInterval(holdExpiryHours) * 3600)
    }
}

/// Strict parsing of amounts typed by staff or written in configuration.
public enum Amount {
    /// Cents of `text`: ASCII digits, optionally one decimal point followed by one or two digits; no sign,
    /// no thousands separators, no spaces, no exponent; at most 12 integer digits. `nil` for anything else
    /// (`"-0.50"`, `"10.½"`, `"1,2,3"`, `"1e3"`, `""`).
    public static func cents(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var whole = 0
        var index = 0
        var digits = 0
        while index < bytes.count, (48...57).contains(bytes[index]) {
            whole = whole * 10 + Int(bytes[index] - 48)
            digits += 1
            index += 1
            if digits > 12 { return nil }
        }
        guard digits > 0 else { return nil }
        if index == bytes.count { return whole * 100 }
        guard bytes[index] == UInt8(ascii: "."), (2...3).contains(bytes.count - index) else { return nil }
        var fraction = 0
        for byte in bytes[(index + 1)...] {
            guard (48...57).contains(byte) else { return nil }
            fraction = fraction * 10 + Int(byte - 48)
        }
        if bytes.count - index == 2 { fraction *= 10 }
        return whole * 100 + fraction
    }
}
