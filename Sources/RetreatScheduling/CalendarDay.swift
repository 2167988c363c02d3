import Foundation

/// A civil date in the practice's time zone (no time, no zone).
///
/// All arithmetic is pure integer arithmetic on the proleptic Gregorian calendar
/// (Howard Hinnant's days-from-civil algorithm); instants come from the one local-time engine,
/// `LocalTime.resolve(in:)`, over Foundation's zone database (the system's tzdata).
///
/// Encoded (`Codable`) as the ISO string `"YYYY-MM-DD"`.
public struct CalendarDay: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// The Gregorian year.
    public let year: Int
    /// The month, 1...12.
    public let month: Int
    /// The day of the month, 1...31.
    public let day: Int
    /// Days since 1970-01-01 (which is day 0); negative before it.
    public let daysSinceEpoch: Int

    /// Creates a day from its components; `nil` unless it is a real date with a year in 1...9999
    /// (leap years handled: 2028-02-29 exists, 2027-02-29 does not).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= CalendarDay.daysInMonth(year: year, month: month)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
        self.daysSinceEpoch = CalendarDay.daysFromCivil(year: year, month: month, day: day)
    }

    /// Parses strictly `"YYYY-MM-DD"` (four-digit year, two-digit month and day, ASCII digits);
    /// `nil` for anything else, e.g. `"2026-02-30"`, `"2026-1-5"`, `" 2026-01-05"` or `"x"`.
    public init?(iso: String) {
        let bytes = Array(iso.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Creates the day that is `daysSinceEpoch` days after 1970-01-01 (day 0).
    public init(daysSinceEpoch: Int) {
        let civil = CalendarDay.civilFromDays(daysSinceEpoch)
        self.year = civil.year
        self.month = civil.month
        self.day = civil.day
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// The day `days` days later (earlier when negative).
    public func adding(days: Int) -> CalendarDay {
        CalendarDay(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The same day of the month `months` months later (earlier when negative), clamped to the
    /// end of the target month: 2027-01-31 + 1 month = 2027-02-28, 2028-01-31 + 1 month = 2028-02-29.
    public func adding(months: Int) -> CalendarDay {
        let total = year * 12 + (month - 1) + months
        let newYear = CalendarDay.floorDiv(total, 12)
        let newMonth = total - newYear * 12 + 1
        let newDay = min(day, CalendarDay.daysInMonth(year: newYear, month: newMonth))
        return CalendarDay(daysSinceEpoch: CalendarDay.daysFromCivil(year: newYear, month: newMonth, day: newDay))
    }

    /// The number of days from `self` to `other` (`other - self`); negative if `other` is earlier.
    public func days(until other: CalendarDay) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    /// The day of the week.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday (raw value 4).
        Weekday(rawValue: CalendarDay.positiveModulo(daysSinceEpoch + 3, 7) + 1) ?? .monday
    }

    /// `"YYYY-MM-DD"`, zero padded.
    public var description: String {
        let yearText = year >= 0 ? CalendarDay.pad(year, 4) : "-" + CalendarDay.pad(-year, 4)
        return "\(yearText)-\(CalendarDay.pad(month, 2))-\(CalendarDay.pad(day, 2))"
    }

    /// The civil date at instant `now` in `timeZone` (the clock is always a parameter).
    public static func today(at now: Date, in timeZone: TimeZone) -> CalendarDay {
        let raw = now.timeIntervalSince1970.rounded(.down)
        let seconds = Int(min(max(raw, -1e14), 1e14)) + timeZone.secondsFromGMT(for: now)
        return CalendarDay(daysSinceEpoch: floorDiv(seconds, 86_400))
    }

    /// The first instant of this day in `timeZone`: local midnight, or the first valid instant when midnight
    /// is skipped by a daylight-saving transition. Computed by the one local-time engine (`LocalTime.resolve`).
    public func firstInstant(in timeZone: TimeZone) -> Date {
        LocalTime(day: self, time: .midnight).instant(in: timeZone)
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = CalendarDay(iso: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a valid date (expected YYYY-MM-DD)")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // MARK: - Integer calendar helpers

    /// Whether `year` is a Gregorian leap year.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Number of days in `month` (1...12) of `year`; 0 for an invalid month.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeapYear(year) ? 29 : 28
        default: return 0
        }
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let quotient = a / b
        return (a % b != 0 && ((a < 0) != (b < 0))) ? quotient - 1 : quotient
    }

    static func positiveModulo(_ a: Int, _ b: Int) -> Int {
        let remainder = a % b
        return remainder < 0 ? remainder + b : remainder
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

/// A day of the week, Monday first (ISO 8601 numbering).
public enum Weekday: Int, CaseIterable, Codable, Sendable, Comparable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// Accepts the three-letter or full English name in any letter case
    /// ("mon", "Monday", "MONDAY"); surrounding whitespace is ignored.
    public init?(name: String) {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased()
        guard let match = Weekday.allCases.first(where: { $0.shortName == key || $0.name.lowercased() == key })
        else { return nil }
        self = match
    }

    /// Lower-case three-letter name: "mon".
    public var shortName: String {
        String(name.prefix(3)).lowercased()
    }

    /// Capitalised full name: "Monday".
    public var name: String {
        switch self {
        case .monday: return "Monday"
        case .tuesday: return "Tuesday"
        case .wednesday: return "Wednesday"
        case .thursday: return "Thursday"
        case .friday: return "Friday"
        case .saturday: return "Saturday"
        case .sunday: return "Sunday"
        }
    }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
