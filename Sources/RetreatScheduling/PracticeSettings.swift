import Foundation

/// A cancellation refund tier: cancelling at least `minDaysBefore` days before the start refunds `percent`%.
public struct RefundTier: Hashable, Codable, Sendable {
    /// Minimum whole days between the cancellation date and the start date.
    public var minDaysBefore: Int
    /// Percentage (0...100) of the amount paid that is refunded.
    public var percent: Int

    /// Creates a tier.
    public init(minDaysBefore: Int, percent: Int) {
        self.minDaysBefore = minDaysBefore
        self.percent = percent
    }
}

/// How the practice schedules and charges for intensives.
///
/// Decoding tolerates missing keys: any absent field takes its default.
public struct PracticeSettings: Hashable, Codable, Sendable {
    /// IANA time zone of the practice, e.g. "America/New_York" (checked by `validate()`).
    public var timeZoneIdentifier: String
    /// Length of an intensive in days (1...14).
    public var intensiveDays: Int = 3
    /// Wall-clock start of each intensive day.
    public var dayStart: ClockTime = ClockTime(uncheckedMinutes: 9 * 60)
    /// Wall-clock end of each intensive day (after `dayStart`).
    public var dayEnd: ClockTime = ClockTime(uncheckedMinutes: 17 * 60)
    /// Weekdays on which an intensive may start.
    public var startWeekdays: Set<Weekday> = Set(Weekday.allCases)
    /// Days a resource stays blocked after an intensive ends.
    public var turnoverDays: Int = 1
    /// An intensive may start no earlier than today + this many days.
    public var minimumNoticeDays: Int = 7
    /// An intensive may start no later than today + this many months.
    public var horizonMonths: Int = 12
    /// Hours a hold lasts without its deposit before it lapses.
    public var holdExpiryHours: Int = 48
    /// Bookable resources (rooms, clinicians), in preference order; the first free one is chosen.
    public var resources: [String] = ["practice"]
    /// ISO 4217 currency code of all amounts.
    public var currency: String = "USD"
    /// Price of one intensive in cents.
    public var priceCents: Int = 450_000
    /// Deposit as a percentage (0...100) of the price.
    public var depositPercent: Int = 25
    /// The deposit is due this many days after booking (never after the day before the start).
    public var depositDueDays: Int = 2
    /// The hours (on each partner's own clock) in which long-distance sessions may fall; sessions outside them
    /// are refused unless staff explicitly allow it.
    public var partnerWindow: WorkingPeriod =
        WorkingPeriod(start: ClockTime(uncheckedMinutes: 7 * 60), end: ClockTime(uncheckedMinutes: 22 * 60))
        ?? WorkingPeriod.wholeDay
    /// Refund tiers; the best tier whose `minDaysBefore` is met applies, otherwise nothing is refunded.
    public var refundTiers: [RefundTier] = [
        RefundTier(minDaysBefore: 60, percent: 100),
        RefundTier(minDaysBefore: 30, percent: 50),
    ]

    /// Settings with every default, in `timeZoneIdentifier`.
    public init(timeZoneIdentifier: String = "America/New_York") {
        self.timeZoneIdentifier = timeZoneIdentifier
    }

    /// The practice time zone. Call `validate()` first: an unknown identifier falls back to UTC.
    public var timeZone: TimeZone {
        TimeZone(identifier: timeZoneIdentifier) ?? TimeZone(secondsFromGMT: 0) ?? TimeZone.current
    }

    /// Checks every field and throws `SchedulingError.invalidSettings` for the first problem,
    /// with one sentence naming the field and the fix.
    public func validate() throws(SchedulingError) {
        func fail(_ message: String) -> SchedulingError { .invalidSettings(message) }
        if !ZoneNames.isRegion(timeZoneIdentifier) {
            throw fail("timeZoneIdentifier \"\(timeZoneIdentifier)\" is not a known IANA time zone; use one such as \"America/New_York\".")
        }
        if !Self.ranges.intensiveDays.contains(intensiveDays) {
            throw fail("intensiveDays is \(intensiveDays); set it to a whole number of days from 1 to 14.")
        }
        if dayEnd <= dayStart {
            throw fail("dayEnd \(dayEnd) is not after dayStart \(dayStart); set dayEnd later than dayStart.")
        }
        if startWeekdays.isEmpty {
            throw fail("startWeekdays is empty; allow at least one weekday (mon...sun) for intensives to start on.")
        }
        func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>, _ unit: String) throws(SchedulingError) {
            if !range.contains(value) {
                throw fail("\(name) is \(value); set it from \(range.lowerBound) to \(range.upperBound) \(unit).")
            }
        }
        try check("turnoverDays", turnoverDays, Self.ranges.turnoverDays, "days")
        try check("minimumNoticeDays", minimumNoticeDays, Self.ranges.minimumNoticeDays, "days")
        try check("horizonMonths", horizonMonths, Self.ranges.horizonMonths, "months")
        try check("holdExpiryHours", holdExpiryHours, Self.ranges.holdExpiryHours, "hours")
        if resources.isEmpty {
            throw fail("resources is empty; add at least one resource name such as \"practice\".")
        }
        if resources.count > Self.ranges.resourceCount.upperBound {
            throw fail("resources lists \(resources.count) names; at most \(Self.ranges.resourceCount.upperBound) are supported.")
        }
        for name in resources {
            if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw fail("resources contains an empty name; give every resource a non-blank name.")
            }
            if name.count > 64 || TextRules.firstForbidden(in: name) != nil || name.contains(",") {
                throw fail("resource name \(String(reflecting: name)) must be at most 64 characters, without control characters or commas.")
            }
        }
        var seen = Set<String>()
        for name in resources where !seen.insert(name).inserted {
            throw fail("resources lists \"\(name)\" more than once; remove the duplicate.")
        }
        if currency.count != 3 || !currency.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) {
            throw fail("currency \"\(currency)\" is not a three-letter ISO 4217 code; use one such as \"USD\".")
        }
        if !(0...Money.maximumCents).contains(priceCents) {
            throw fail(
                "priceCents is \(priceCents) (\(Money.format(cents: priceCents, currency: currency))); set it from 0 to \(Money.maximumCents) (\(Money.format(cents: Money.maximumCents, currency: currency)))."
            )
        }
        try check("depositPercent", depositPercent, 0...100, "percent")
        try check("depositDueDays", depositDueDays, Self.ranges.depositDueDays, "days")
        if refundTiers.count > Self.ranges.refundTiers.upperBound {
            throw fail("refundTiers has \(refundTiers.count) tiers; at most \(Self.ranges.refundTiers.upperBound) are supported.")
        }
        for tier in refundTiers {
            if !(0...100).contains(tier.percent) {
                throw fail("refundTiers has percent \(tier.percent) (for \(tier.minDaysBefore) days before); set every tier percent between 0 and 100.")
            }
            if !Self.ranges.refundDaysBefore.contains(tier.minDaysBefore) {
                throw fail(
                    "refundTiers has minDaysBefore \(tier.minDaysBefore); set every tier's minDaysBefore from 0 to \(Self.ranges.refundDaysBefore.upperBound).")
            }
        }
    }

    /// The documented range of every numeric setting (`validate()` enforces them).
    public static let ranges = Ranges()

    /// Documented ranges of the numeric settings.
    public struct Ranges: Sendable {
        public let intensiveDays = 1...14
        public let turnoverDays = 0...30
        public let minimumNoticeDays = 0...365
        public let horizonMonths = 1...120
        public let holdExpiryHours = 1...720
        public let depositDueDays = 0...365
        public let resourceCount = 1...50
        public let refundTiers = 0...10
        public let refundDaysBefore = 0...3650
    }

    private enum CodingKeys: String, CodingKey {
        case timeZoneIdentifier, intensiveDays, dayStart, dayEnd, startWeekdays, turnoverDays
        case minimumNoticeDays, horizonMonths, holdExpiryHours, resources, currency, priceCents
        case depositPercent, depositDueDays, refundTiers, partnerWindow
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = PracticeSettings()
        s.timeZoneIdentifier = try c.decodeIfPresent(String.self, forKey: .timeZoneIdentifier) ?? s.timeZoneIdentifier
        s.intensiveDays = try c.decodeIfPresent(Int.self, forKey: .intensiveDays) ?? s.intensiveDays
        s.dayStart = try c.decodeIfPresent(ClockTime.self, forKey: .dayStart) ?? s.dayStart
        s.dayEnd = try c.decodeIfPresent(ClockTime.self, forKey: .dayEnd) ?? s.dayEnd
        s.startWeekdays = try c.decodeIfPresent(Set<Weekday>.self, forKey: .startWeekdays) ?? s.startWeekdays
        s.turnoverDays = try c.decodeIfPresent(Int.self, forKey: .turnoverDays) ?? s.turnoverDays
        s.minimumNoticeDays = try c.decodeIfPresent(Int.self, forKey: .minimumNoticeDays) ?? s.minimumNoticeDays
        s.horizonMonths = try c.decodeIfPresent(Int.self, forKey: .horizonMonths) ?? s.horizonMonths
        s.holdExpiryHours = try c.decodeIfPresent(Int.self, forKey: .holdExpiryHours) ?? s.holdExpiryHours
        s.resources = try c.decodeIfPresent([String].self, forKey: .resources) ?? s.resources
        s.currency = try c.decodeIfPresent(String.self, forKey: .currency) ?? s.currency
        s.priceCents = try c.decodeIfPresent(Int.self, forKey: .priceCents) ?? s.priceCents
        s.depositPercent = try c.decodeIfPresent(Int.self, forKey: .depositPercent) ?? s.depositPercent
        s.depositDueDays = try c.decodeIfPresent(Int.self, forKey: .depositDueDays) ?? s.depositDueDays
        s.refundTiers = try c.decodeIfPresent([RefundTier].self, forKey: .refundTiers) ?? s.refundTiers
        s.partnerWindow = try c.decodeIfPresent(WorkingPeriod.self, forKey: .partnerWindow) ?? s.partnerWindow
        self = s
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timeZoneIdentifier, forKey: .timeZoneIdentifier)
        try c.encode(intensiveDays, forKey: .intensiveDays)
        try c.encode(dayStart, forKey: .dayStart)
        try c.encode(dayEnd, forKey: .dayEnd)
        // Sorted so the encoding is deterministic.
        try c.encode(startWeekdays.sorted(), forKey: .startWeekdays)
        try c.encode(turnoverDays, forKey: .turnoverDays)
        try c.encode(minimumNoticeDays, forKey: .minimumNoticeDays)
        try c.encode(horizonMonths, forKey: .horizonMonths)
        try c.encode(holdExpiryHours, forKey: .holdExpiryHours)
        try c.encode(resources, forKey: .resources)
        try c.encode(currency, forKey: .currency)
        try c.encode(priceCents, forKey: .priceCents)
        try c.encode(depositPercent, forKey: .depositPercent)
        try c.encode(depositDueDays, forKey: .depositDueDays)
        try c.encode(refundTiers, forKey: .refundTiers)
        try c.encode(partnerWindow, forKey: .partnerWindow)
    }
}

extension PracticeSettings {
    /// The keys `retreat settings set` accepts, as `settings --json` names them.
    public static let settableKeys = [
        "timeZone", "dayStart", "dayEnd", "intensiveDays", "startWeekdays", "turnoverDays", "minimumNoticeDays", "horizonMonths",
        "holdExpiryHours", "resources", "currency", "priceCents", "depositPercent", "depositDueDays", "refundTiers", "partnerWindow",
    ]

    /// Digits with an optional leading minus, nothing else (`Int` alone also reads `+5`), that fit an `Int`.
    public static func wholeNumber(_ text: some StringProtocol) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : text[...]
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(String(text))
    }

    /// These settings with `key` set from `text`: whole numbers as digits (an optional leading `-` is read and
    /// then refused by the range check), times as `HH:MM`, lists comma separated (`mon,tue`; `a,b`), refund tiers
    /// as `DAYS:PERCENT` pairs (`60:100,30:50`; empty for none). Ranges are checked by `validate()`.
    /// - Throws: `SchedulingError.invalidSettings` naming the key and what to write.
    public func setting(_ key: String, to text: String) throws(SchedulingError) -> PracticeSettings {
        func fail(_ what: String) -> SchedulingError { .invalidSettings("\(key)=\(String(reflecting: text)) is not \(what)") }
        func int() throws(SchedulingError) -> Int {
            guard let n = Self.wholeNumber(text) else { throw fail("a whole number (digits only)") }
            return n
        }
        func clock() throws(SchedulingError) -> ClockTime {
            guard let t = ClockTime(text) else { throw fail("a time such as 09:00") }
            return t
        }
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var s = self
        switch key {
        case "timeZone": s.timeZoneIdentifier = text
        case "dayStart": s.dayStart = try clock()
        case "dayEnd": s.dayEnd = try clock()
        case "intensiveDays": s.intensiveDays = try int()
        case "startWeekdays":
            var days = Set<Weekday>()
            for item in items {
                guard let w = Weekday(name: item) else { throw fail("a list of weekdays such as mon,tue,wed") }
                days.insert(w)
            }
            s.startWeekdays = days
        case "turnoverDays": s.turnoverDays = try int()
        case "minimumNoticeDays": s.minimumNoticeDays = try int()
        case "horizonMonths": s.horizonMonths = try int()
        case "holdExpiryHours": s.holdExpiryHours = try int()
        case "resources": s.resources = items
        case "currency": s.currency = text
        case "priceCents": s.priceCents = try int()
        case "depositPercent": s.depositPercent = try int()
        case "depositDueDays": s.depositDueDays = try int()
        case "refundTiers":
            if text.isEmpty {
                s.refundTiers = []
                break
            }
            var tiers: [RefundTier] = []
            for item in items {
                let parts = item.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 2, let days = Self.wholeNumber(parts[0]), let percent = Self.wholeNumber(parts[1]) else {
                    throw fail("a list of DAYS:PERCENT tiers such as 60:100,30:50")
                }
                tiers.append(RefundTier(minDaysBefore: days, percent: percent))
            }
            s.refundTiers = tiers
        case "partnerWindow":
            guard let window = WorkingPeriod(text: text) else { throw fail("hours such as 07:00-22:00") }
            s.partnerWindow = window
        default:
            throw .invalidSettings("unknown setting \"\(key)\"; the settings are \(Self.settableKeys.joined(separator: ", "))")
        }
        return s
    }
}
