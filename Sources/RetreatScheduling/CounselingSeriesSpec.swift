import Foundation

/// How often a counseling series repeats. Encoded (`Codable`, SQLite) as its raw value.
public enum SeriesFrequency: String, Hashable, Codable, Sendable, CaseIterable {
    /// Every week on the start's weekday (`FREQ=WEEKLY`).
    case weekly = "week"
    /// Every other week on the start's weekday (`FREQ=WEEKLY;INTERVAL=2`).
    case everyOtherWeek = "2weeks"
    /// Monthly on the start's weekday-of-month, e.g. "2nd Tuesday" or "last Friday"
    /// (`FREQ=MONTHLY;BYDAY=2TU`); see `MonthlyWeekday`.
    case monthlyByWeekday = "month"

    /// Parses "week", "2weeks" or "month" (also "weekly", "2 weeks", "every-other-week",
    /// "fortnightly", "monthly"), ignoring letter case and surrounding whitespace.
    public init?(text: String) {
        switch text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "week", "weekly", "1week": self = .weekly
        case "2weeks", "2 weeks", "2week", "every-other-week", "every other week", "fortnightly": self = .everyOtherWeek
        case "month", "monthly", "1month": self = .monthlyByWeekday
        default: return nil
        }
    }

    /// Like `init?(text:)`, throwing `SeriesError.unknownFrequency` naming the text.
    public static func parse(_ text: String) throws(SeriesError) -> SeriesFrequency {
        guard let frequency = SeriesFrequency(text: text) else { throw .unknownFrequency(text) }
        return frequency
    }
}

/// The "nth weekday of the month" a monthly series keeps, derived from its start date:
/// days 1–7 are the 1st, 8–14 the 2nd, 15–21 the 3rd, 22–28 the 4th, and 29–31 (a 5th weekday,
/// which most months lack) become "last". A 4th weekday stays the 4th even when it happens to be
/// the last one of the start's month.
public struct MonthlyWeekday: Hashable, Codable, Sendable, CustomStringConvertible {
    /// 1...4, or -1 for the last such weekday of the month.
    public let ordinal: Int
    /// The weekday.
    public let weekday: Weekday

    /// The pattern of `day`: 2027-01-12 (2nd Tuesday) → (2, .tuesday); 2027-01-29 (5th Friday) → (-1, .friday).
    public init(of day: CalendarDay) {
        let nth = (day.day - 1) / 7 + 1
        self.ordinal = nth >= 5 ? -1 : nth
        self.weekday = day.weekday
    }

    /// The date this pattern names in `month` of `year`.
    public func date(year: Int, month: Int) -> CalendarDay {
        if ordinal < 0 {
            let last = CalendarDay.daysFromCivil(year: year, month: month, day: CalendarDay.daysInMonth(year: year, month: month))
            let back = CalendarDay.positiveModulo(CalendarDay(daysSinceEpoch: last).weekday.rawValue - weekday.rawValue, 7)
            return CalendarDay(daysSinceEpoch: last - back)
        }
        let first = CalendarDay.daysFromCivil(year: year, month: month, day: 1)
        let forward = CalendarDay.positiveModulo(weekday.rawValue - CalendarDay(daysSinceEpoch: first).weekday.rawValue, 7)
        return CalendarDay(daysSinceEpoch: first + forward + (ordinal - 1) * 7)
    }

    /// The RRULE BYDAY value: "2TU", "-1FR".
    public var rruleByDay: String {
        "\(ordinal)\(weekday.name.prefix(2).uppercased())"
    }

    /// "2nd Tuesday", "last Friday".
    public var description: String {
        let prefix: String
        switch ordinal {
        case 1: prefix = "1st"
        case 2: prefix = "2nd"
        case 3: prefix = "3rd"
        case -1: prefix = "last"
        default: prefix = "\(ordinal)th"
        }
        return "\(prefix) \(weekday.name)"
    }
}

/// When a series stops. Encoded as `{"count": 12}` or `{"until": "2027-06-30"}`.
public enum SeriesEnd: Hashable, Codable, Sendable {
    /// After this many sessions (1...520), cancelled ones included, as RRULE `COUNT` counts them.
    case count(Int)
    /// The last session is on or before this day (inclusive) in the counselor's zone.
    case until(CalendarDay)

    private enum CodingKeys: String, CodingKey { case count, until }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let count = try container.decodeIfPresent(Int.self, forKey: .count) {
            self = .count(count)
        } else if let until = try container.decodeIfPresent(CalendarDay.self, forKey: .until) {
            self = .until(until)
        } else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath, debugDescription: "a series end needs \"count\" or \"until\""))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .count(let count): try container.encode(count, forKey: .count)
        case .until(let day): try container.encode(day, forKey: .until)
        }
    }
}

/// What a counselor and a couple agree on for a recurring remote session.
///
/// `start` is a wall-clock time in `counselorZone`; every session keeps that wall-clock time in the
/// counselor's zone across daylight-saving changes (partners abroad may see it move by an hour).
public struct CounselingSeriesSpec: Hashable, Codable, Sendable {
    /// Allowed session lengths in minutes.
    public static let lengthRange = 10...240
    /// Allowed `.count` values.
    public static let countRange = 1...520
    /// Most sessions a series may have (also for `.until`).
    public static let maximumSessions = 520

    /// The couple's display name (stored and shown to the practice only; never put in messages).
    public var couple: String
    /// The counselor's resource name.
    public var counselor: String
    /// Session length in minutes, 10...240.
    public var lengthMinutes: Int
    /// How often it repeats.
    public var frequency: SeriesFrequency
    /// The first session's date and wall-clock time in `counselorZone`.
    public var start: LocalTime
    /// When the series stops.
    public var end: SeriesEnd
    /// IANA zone of the counselor, e.g. "America/New_York".
    public var counselorZone: String
    /// IANA zones of the partners (none, one, or one per partner; repeats are shown once).
    public var partnerZones: [String]
    /// Optional video-call address (http or https).
    public var link: String?

    /// Creates a spec; call `validate()` (or build a `CounselingSeries`, which does) before use.
    public init(
        couple: String, counselor: String, lengthMinutes: Int, frequency: SeriesFrequency,
        start: LocalTime, end: SeriesEnd, counselorZone: String, partnerZones: [String] = [],
        link: String? = nil
    ) {
        self.couple = couple
        self.counselor = counselor
        self.lengthMinutes = lengthMinutes
        self.frequency = frequency
        self.start = start
        self.end = end
        self.counselorZone = counselorZone
        self.partnerZones = partnerZones
        self.link = link
    }

    /// Throws the first problem as a `SeriesError`, checked in this order: blank couple or counselor,
    /// unknown counselor zone, unknown partner zone, length, count / until, a start skipped by a
    /// daylight-saving change, the link.
    public func validate() throws(SeriesError) {
        if couple.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw .blankField("the couple's name") }
        if counselor.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw .blankField("the counselor") }
        guard let zone = ZoneNames.zone(counselorZone) else {
            throw .unknownTimeZone(field: "counselor zone", identifier: counselorZone)
        }
        for partnerZone in partnerZones where ZoneNames.zone(partnerZone) == nil {
            throw .unknownTimeZone(field: "partner zone", identifier: partnerZone)
        }
        if !Self.lengthRange.contains(lengthMinutes) { throw .lengthOutOfRange(lengthMinutes) }
        switch end {
        case .count(let count):
            if !Self.countRange.contains(count) { throw .countOutOfRange(count) }
        case .until(let until):
            if until < start.day { throw .untilBeforeStart(until: until, start: start.day) }
            if ruleDate(index: Self.maximumSessions) <= until { throw .tooManyOccurrences(until: until) }
        }
        if !start.exists(in: zone) { throw .nonexistentLocalTime(start, zone: counselorZone) }
        if let link {
            let trimmed = link.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
                scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty
            else { throw .invalidLink }
        }
    }

    /// For a monthly series, the weekday-of-month it keeps; `nil` otherwise.
    public var monthlyPattern: MonthlyWeekday? {
        frequency == .monthlyByWeekday ? MonthlyWeekday(of: start.day) : nil
    }

    /// The dates the rule gives (exceptions not applied), in the counselor's zone, ascending;
    /// at most `maximumSessions`.
    public var recurrenceDates: [CalendarDay] {
        var dates: [CalendarDay] = []
        switch end {
        case .count(let count):
            for index in 0..<min(max(count, 0), Self.maximumSessions) { dates.append(ruleDate(index: index)) }
        case .until(let until):
            var index = 0
            while index < Self.maximumSessions {
                let date = ruleDate(index: index)
                if date > until { break }
                dates.append(date)
                index += 1
            }
        }
        return dates
    }

    /// The RRULE for this spec: "FREQ=WEEKLY;COUNT=10", "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270701T035959Z",
    /// "FREQ=MONTHLY;BYDAY=-1FR;COUNT=6". UNTIL is the last second of the `.until` day in the
    /// counselor's zone, written in UTC as RFC 5545 requires for a DTSTART with a TZID.
    public var rruleText: String {
        switch end {
        case .count(let count): return rruleBase + ";COUNT=\(count)"
        case .until(let day): return rruleBase + ";UNTIL=" + Self.untilText(lastDay: day, zone: ZoneNames.zoneOrUTC(counselorZone))
        }
    }

    var rruleBase: String {
        switch frequency {
        case .weekly: return "FREQ=WEEKLY"
        case .everyOtherWeek: return "FREQ=WEEKLY;INTERVAL=2"
        case .monthlyByWeekday: return "FREQ=MONTHLY;BYDAY=" + MonthlyWeekday(of: start.day).rruleByDay
        }
    }

    /// UTC text of the last second of `lastDay` in `zone`.
    static func untilText(lastDay: CalendarDay, zone: TimeZone) -> String {
        icsUTCText(lastDay.adding(days: 1).firstInstant(in: zone).addingTimeInterval(-1))
    }

    /// The `index`-th (0-based) date of the rule.
    func ruleDate(index: Int) -> CalendarDay {
        switch frequency {
        case .weekly: return start.day.adding(days: 7 * index)
        case .everyOtherWeek: return start.day.adding(days: 14 * index)
        case .monthlyByWeekday:
            let total = start.day.year * 12 + (start.day.month - 1) + index
            let year = CalendarDay.floorDiv(total, 12)
            return MonthlyWeekday(of: start.day).date(year: year, month: total - year * 12 + 1)
        }
    }
}
