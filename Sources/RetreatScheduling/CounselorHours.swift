import Foundation

/// A working period within one day, `start` up to (not including) `end`, on the counselor's clock.
/// Encoded (`Codable`) as `"10:00-18:00"`.
public struct WorkingPeriod: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// First minute of work.
    public let start: ClockTime
    /// End of work (after `start`); a session must end at or before it.
    public let end: ClockTime

    /// `nil` unless `end` is after `start`.
    public init?(start: ClockTime, end: ClockTime) {
        guard start < end else { return nil }
        self.start = start
        self.end = end
    }

    /// Parses `"10:00-18:00"` strictly (two `HH:MM` times joined by "-", end after start).
    public init?(text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = ClockTime(String(parts[0])), let end = ClockTime(String(parts[1])) else { return nil }
        self.init(start: start, end: end)
    }

    /// `"10:00-18:00"`.
    public var description: String {
        "\(start)-\(end)"
    }

    /// 00:00 to 23:59: the widest period.
    public static let wholeDay = WorkingPeriod(unchecked: ClockTime.midnight, ClockTime(uncheckedMinutes: 1439))

    private init(unchecked start: ClockTime, _ end: ClockTime) {
        self.start = start
        self.end = end
    }

    public static func < (lhs: WorkingPeriod, rhs: WorkingPeriod) -> Bool {
        (lhs.start, lhs.end) < (rhs.start, rhs.end)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = WorkingPeriod(text: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a working period (expected HH:MM-HH:MM, end after start)")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A counselor's weekly working hours on their own clock, e.g. "mon-thu 10:00-18:00; fri 10:00-14:00".
///
/// Periods of one weekday are kept sorted, with overlapping or touching periods merged.
/// Encoded (`Codable`) as `{"mon": ["10:00-18:00"], "fri": ["10:00-14:00"]}` (days without hours omitted).
public struct CounselorHours: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The periods of each working weekday (sorted, merged, non-empty lists only).
    public let periods: [Weekday: [WorkingPeriod]]

    /// Creates hours from periods per weekday; throws `.invalidHours` when no weekday has any period.
    public init(_ periods: [Weekday: [WorkingPeriod]]) throws(SeriesError) {
        var merged: [Weekday: [WorkingPeriod]] = [:]
        for (weekday, list) in periods where !list.isEmpty {
            merged[weekday] = CounselorHours.merge(list)
        }
        guard !merged.isEmpty else {
            throw .invalidHours("the working hours are empty; give at least one weekday with hours, such as \"mon-thu 10:00-18:00\".")
        }
        self.periods = merged
    }

    /// The same `period` on every weekday in `weekdays`.
    public init(weekdays: [Weekday], period: WorkingPeriod) throws(SeriesError) {
        var periods: [Weekday: [WorkingPeriod]] = [:]
        for weekday in weekdays { periods[weekday] = [period] }
        try self.init(periods)
    }

    /// Parses entries separated by ";": a weekday list, then one or more periods, e.g.
    /// `"mon-thu 10:00-13:00 14:00-18:00; fri 10:00-14:00"` or `"mon,wed,fri 09:00-17:00"`.
    /// Weekdays are three-letter or full English names in any case; "mon-thu" is a range (it may wrap, "fri-mon").
    public init(parsing text: String) throws(SeriesError) {
        var periods: [Weekday: [WorkingPeriod]] = [:]
        for rawEntry in text.split(separator: ";") {
            let entry = rawEntry.trimmingCharacters(in: .whitespacesAndNewlines)
            if entry.isEmpty { continue }
            let tokens = entry.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let dayToken = tokens.first, tokens.count >= 2 else {
                throw .invalidHours("working hours entry \"\(entry)\" needs weekdays and a period, such as \"mon-thu 10:00-18:00\".")
            }
            guard let weekdays = CounselorHours.weekdays(dayToken) else {
                throw .invalidHours("working hours entry \"\(entry)\": \"\(dayToken)\" is not a weekday, list or range such as \"mon-thu\" or \"mon,wed\".")
            }
            var entryPeriods: [WorkingPeriod] = []
            for token in tokens.dropFirst() {
                for piece in token.split(separator: ",") {
                    guard let period = WorkingPeriod(text: String(piece)) else {
                        throw .invalidHours(
                            "working hours entry \"\(entry)\": \"\(piece)\" is not a period such as \"10:00-18:00\" (HH:MM-HH:MM, end after start).")
                    }
                    entryPeriods.append(period)
                }
            }
            for weekday in weekdays { periods[weekday, default: []].append(contentsOf: entryPeriods) }
        }
        try self.init(periods)
    }

    /// The periods on `weekday`, sorted; empty on a day off.
    public func periods(on weekday: Weekday) -> [WorkingPeriod] {
        periods[weekday] ?? []
    }

    /// Whether a session from `start` to `end` minutes after midnight (on one day) lies inside one period of `weekday`.
    public func contains(weekday: Weekday, startMinutes: Int, endMinutes: Int) -> Bool {
        periods(on: weekday).contains { $0.start.minutes <= startMinutes && endMinutes <= $0.end.minutes }
    }

    /// `"mon 10:00-18:00; tue 10:00-18:00; …"`, Monday first (the form `init(parsing:)` reads).
    public var description: String {
        Weekday.allCases.compactMap { weekday in
            periods[weekday].map { "\(weekday.shortName) \($0.map(\.description).joined(separator: " "))" }
        }.joined(separator: "; ")
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode([String: [WorkingPeriod]].self)
        var periods: [Weekday: [WorkingPeriod]] = [:]
        for (key, list) in raw {
            guard let weekday = Weekday(name: key) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(key)\" is not a weekday (mon...sun)")
            }
            periods[weekday, default: []].append(contentsOf: list)
        }
        do {
            try self.init(periods)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        // Monday first, so the encoding is deterministic.
        var container = encoder.container(keyedBy: DayKey.self)
        for weekday in Weekday.allCases {
            if let list = periods[weekday] { try container.encode(list, forKey: DayKey(stringValue: weekday.shortName)) }
        }
    }

    private struct DayKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func merge(_ list: [WorkingPeriod]) -> [WorkingPeriod] {
        var result: [WorkingPeriod] = []
        for period in list.sorted() {
            if let last = result.last, period.start <= last.end {
                if period.end > last.end, let joined = WorkingPeriod(start: last.start, end: period.end) {
                    result[result.count - 1] = joined
                }
            } else {
                result.append(period)
            }
        }
        return result
    }

    /// "mon", "mon-thu", "fri-mon", "mon,wed,fri" (and combinations such as "mon-tue,thu").
    static func weekdays(_ token: String) -> [Weekday]? {
        var result: [Weekday] = []
        for part in token.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false)
            if ends.count == 1, let day = Weekday(name: String(ends[0])) {
                result.append(day)
            } else if ends.count == 2, let first = Weekday(name: String(ends[0])), let last = Weekday(name: String(ends[1])) {
                var raw = first.rawValue
                while true {
                    if let day = Weekday(rawValue: raw) { result.append(day) }
                    if raw == last.rawValue { break }
                    raw = raw % 7 + 1
                }
            } else {
                return nil
            }
        }
        return result.isEmpty ? nil : result
    }
}

/// A counselor who gives remote sessions: their resource name, zone and working hours.
///
/// A natural home for these is a `counselors` list next to `PracticeSettings` (TOML/JSON via `Codable`).
public struct CounselorProfile: Hashable, Codable, Sendable {
    /// The resource name (as in `CounselingSeriesSpec.counselor` and `Occupancy.resource`).
    public var name: String
    /// IANA zone of the counselor's clock.
    public var timeZoneIdentifier: String
    /// Working hours on that clock.
    public var hours: CounselorHours

    /// Creates a profile.
    public init(name: String, timeZoneIdentifier: String, hours: CounselorHours) {
        self.name = name
        self.timeZoneIdentifier = timeZoneIdentifier
        self.hours = hours
    }

    /// Whether this counselor works the whole of `day` from `start` to `end` on the practice's clock
    /// (`practiceZone`), read on the counselor's own clock: both ends inside one working period of one day.
    public func works(on day: CalendarDay, from start: ClockTime, to end: ClockTime, practiceZone: TimeZone) -> Bool {
        guard let zone = ZoneNames.zone(timeZoneIdentifier) else { return false }
        let from = LocalTime(LocalTime(day: day, time: start).instant(in: practiceZone), in: zone)
        let until = LocalTime(LocalTime(day: day, time: end).instant(in: practiceZone), in: zone)
        guard from.day == until.day else { return false }
        return hours.contains(weekday: from.day.weekday, startMinutes: from.time.minutes, endMinutes: until.time.minutes)
    }

    /// Throws for a blank name or an unknown zone.
    public func validate() throws(SeriesError) {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw .blankField("the counselor") }
        if ZoneNames.zone(timeZoneIdentifier) == nil {
            throw .unknownTimeZone(field: "counselor zone", identifier: timeZoneIdentifier)
        }
    }
}
