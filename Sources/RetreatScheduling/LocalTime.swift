import Foundation

/// A wall-clock date and time to the minute, with no zone attached: "2027-03-10 12:00".
///
/// A `LocalTime` only becomes an instant in a particular zone (`resolve(in:)`). Counseling
/// series keep their wall-clock time in the counselor's zone, so the same `LocalTime` of the week
/// maps to different UTC instants across daylight-saving changes.
///
/// Encoded (`Codable`) as the string `"YYYY-MM-DDTHH:MM"`, which also sorts correctly as text.
public struct LocalTime: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// The civil date.
    public let day: CalendarDay
    /// The wall-clock time on that date.
    public let time: ClockTime

    /// Combines a date and a time.
    public init(day: CalendarDay, time: ClockTime) {
        self.day = day
        self.time = time
    }

    /// Parses `"YYYY-MM-DDTHH:MM"` or `"YYYY-MM-DD HH:MM"` strictly; `nil` for anything else.
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
            let dayText = String(bytes: bytes[0..<10], encoding: .utf8),
            let timeText = String(bytes: bytes[11..<16], encoding: .utf8),
            let day = CalendarDay(iso: dayText),
            let time = ClockTime(timeText)
        else { return nil }
        self.init(day: day, time: time)
    }

    /// The wall-clock reading of `instant` in `zone` (seconds are dropped, rounding toward the past).
    public init(_ instant: Date, in zone: TimeZone) {
        let seconds = LocalTime.epochSeconds(instant) + zone.secondsFromGMT(for: instant)
        self.init(minutesSinceEpoch: CalendarDay.floorDiv(seconds, 60))
    }

    /// Creates the wall-clock time `minutes` minutes after 1970-01-01 00:00 (read as a wall clock).
    public init(minutesSinceEpoch minutes: Int) {
        let days = CalendarDay.floorDiv(minutes, 1440)
        self.day = CalendarDay(daysSinceEpoch: days)
        self.time = ClockTime(uncheckedMinutes: minutes - days * 1440)
    }

    /// Minutes since 1970-01-01 00:00 of this wall-clock reading (as if it were UTC).
    public var minutesSinceEpoch: Int {
        day.daysSinceEpoch * 1440 + time.minutes
    }

    /// The wall-clock reading `minutes` later (earlier when negative), ignoring any zone.
    public func adding(minutes: Int) -> LocalTime {
        LocalTime(minutesSinceEpoch: minutesSinceEpoch + minutes)
    }

    /// `"2027-03-10 12:00"`.
    public var description: String {
        "\(day) \(time)"
    }

    /// `"2027-03-10T12:00"` (the `Codable` form).
    public var isoText: String {
        "\(day)T\(time)"
    }

    /// iCalendar local DATE-TIME text for a `TZID=` property: `"20270310T120000"`.
    public var icsText: String {
        CalendarDay.pad(day.year, 4) + CalendarDay.pad(day.month, 2) + CalendarDay.pad(day.day, 2)
            + "T" + CalendarDay.pad(time.hour, 2) + CalendarDay.pad(time.minute, 2) + "00"
    }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool {
        lhs.minutesSinceEpoch < rhs.minutesSinceEpoch
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = LocalTime(iso: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a valid local time (expected YYYY-MM-DDTHH:MM)")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(isoText)
    }

    // MARK: - Zones

    /// How this wall-clock reading maps to instants in `zone`.
    public func resolve(in zone: TimeZone) -> LocalTimeResolution {
        let naive = minutesSinceEpoch * 60
        // At most one transition lies within a day of any instant in practice, so the offsets a day
        // either side (and at the reading itself) are every offset that can apply.
        let before = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(naive - 86_400)))
        let after = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(naive + 86_400)))
        let middle = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(naive)))
        var instants: [Int] = []
        for offset in Set([before, middle, after]) {
            let candidate = naive - offset
            if zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(candidate))) == offset {
                instants.append(candidate)
            }
        }
        instants.sort()
        guard let first = instants.first, let last = instants.last else {
            // Skipped by a spring-forward gap: RFC 5545 reads it with the offset before the gap.
            return .skipped(shiftedForward: Date(timeIntervalSince1970: TimeInterval(naive - before)))
        }
        let firstDate = Date(timeIntervalSince1970: TimeInterval(first))
        return first == last ? .unique(firstDate) : .repeated(earlier: firstDate, later: Date(timeIntervalSince1970: TimeInterval(last)))
    }

    /// Whether this reading occurs in `zone` (false inside a spring-forward gap).
    public func exists(in zone: TimeZone) -> Bool {
        if case .skipped = resolve(in: zone) { return false }
        return true
    }

    /// The instant as RFC 5545 reads a zoned DATE-TIME: the earlier instant of a repeated reading,
    /// and for a skipped reading the instant given by the offset before the gap (so 02:30 on a
    /// spring-forward night becomes 03:30).
    public func instant(in zone: TimeZone) -> Date {
        switch resolve(in: zone) {
        case .unique(let date), .repeated(let date, _), .skipped(let date): return date
        }
    }

    static func epochSeconds(_ instant: Date) -> Int {
        let raw = instant.timeIntervalSince1970.rounded(.down)
        return Int(min(max(raw, -1e14), 1e14))
    }
}

/// How a wall-clock reading maps to instants in one zone.
public enum LocalTimeResolution: Hashable, Sendable {
    /// Exactly one instant.
    case unique(Date)
    /// The reading happens twice (the clocks go back): both instants, earlier first.
    case repeated(earlier: Date, later: Date)
    /// The reading never happens (the clocks jump forward over it); the instant RFC 5545 uses instead.
    case skipped(shiftedForward: Date)
}

/// UTC offset text for `seconds` east of UTC: `"+01:00"`, `"-04:00"`, `"+05:30"`.
public func formatUTCOffset(seconds: Int) -> String {
    let sign = seconds < 0 ? "-" : "+"
    let minutes = abs(seconds) / 60
    return sign + CalendarDay.pad(minutes / 60, 2) + ":" + CalendarDay.pad(minutes % 60, 2)
}

/// iCalendar UTC DATE-TIME text for `instant`: `"20270401T035959Z"` (seconds rounded toward the past).
public func icsUTCText(_ instant: Date) -> String {
    let seconds = LocalTime.epochSeconds(instant)
    let days = CalendarDay.floorDiv(seconds, 86_400)
    let rest = seconds - days * 86_400
    let day = CalendarDay(daysSinceEpoch: days)
    return CalendarDay.pad(day.year, 4) + CalendarDay.pad(day.month, 2) + CalendarDay.pad(day.day, 2)
        + "T" + CalendarDay.pad(rest / 3600, 2) + CalendarDay.pad(rest % 3600 / 60, 2) + CalendarDay.pad(rest % 60, 2) + "Z"
}

/// IANA zone lookup shared by the series types.
public enum ZoneNames {
    /// Canonical identifiers Foundation knows, for "did you mean" suggestions.
    static let known: [String] = TimeZone.knownTimeZoneIdentifiers.sorted()
    static let knownSet = Set(known)

    /// Whether `identifier` is an IANA region name of the zone database ("Europe/London"), the only kind a
    /// practice, a counselor or a partner may give: abbreviations ("EST"), offsets ("GMT+5") and "Etc/" zones
    /// are refused, as calendar clients cannot all read them.
    public static func isRegion(_ identifier: String) -> Bool {
        identifier.contains("/") && !identifier.hasPrefix("Etc/") && knownSet.contains(identifier)
    }

    /// The zone for an IANA region name such as "Europe/London" (or "UTC"/"GMT"); `nil` for unknown
    /// names and for bare abbreviations or offsets such as "EST" or "GMT+5".
    static func zone(_ identifier: String) -> TimeZone? {
        guard isRegion(identifier) || identifier == "UTC" || identifier == "GMT" else { return nil }
        return TimeZone(identifier: identifier)
    }

    /// A known identifier equal to `identifier` ignoring letter case, if any.
    static func suggestion(for identifier: String) -> String? {
        let key = identifier.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return known.first { $0.lowercased() == key }
    }

    /// The zone, or UTC for an identifier validation should already have refused.
    static func zoneOrUTC(_ identifier: String) -> TimeZone {
        zone(identifier) ?? TimeZone.gmt
    }
}
