import Foundation

/// A calendar date with no time and no zone (an iCalendar `DATE`).
public struct ICalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Creates a date; the caller is responsible for passing a real date.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public static func < (a: ICalDate, b: ICalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` days later (or earlier when negative).
    public func adding(days: Int) -> ICalDate {
        ICalDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// Creates the date that is `daysSinceEpoch` days after 1970-01-01.
    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }
}

/// A wall-clock date and time with no zone attached.
public struct LocalDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var date: ICalDate
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int = 0) {
        self.date = ICalDate(year: year, month: month, day: day)
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    public init(date: ICalDate, hour: Int, minute: Int, second: Int = 0) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    public static func < (a: LocalDateTime, b: LocalDateTime) -> Bool {
        (a.date, a.hour, a.minute, a.second) < (b.date, b.hour, b.minute, b.second)
    }

    /// `YYYY-MM-DDTHH:MM:SS`.
    public var description: String {
        date.description + String(format: "T%02d:%02d:%02d", hour, minute, second)
    }

    /// Seconds since 1970-01-01T00:00:00 of this wall-clock time read as if it were UTC.
    var naiveSeconds: Int {
        date.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second
    }

    init(naiveSeconds s: Int) {
        let days = Int((Double(s) / 86_400).rounded(.down))
        let rest = s - days * 86_400
        self.init(date: ICalDate(daysSinceEpoch: days), hour: rest / 3600, minute: rest % 3600 / 60, second: rest % 60)
    }

    /// The same wall-clock time shifted by `seconds`.
    public func adding(seconds: Int) -> LocalDateTime {
        LocalDateTime(naiveSeconds: naiveSeconds + seconds)
    }
}

/// A value of a DATE or DATE-TIME property, as iCalendar distinguishes them.
public enum ICalDateTime: Hashable, Sendable, CustomStringConvertible {
    /// An all-day `VALUE=DATE`.
    case date(ICalDate)
    /// A UTC time (written with a trailing `Z`); the components are in UTC.
    case utc(LocalDateTime)
    /// A wall-clock time in the named time zone (`TZID=`).
    case zoned(LocalDateTime, tzid: String)
    /// A wall-clock time with no zone: read in a zone chosen by the reader.
    case floating(LocalDateTime)

    /// A UTC date-time for an instant.
    public static func utc(_ instant: Date) -> ICalDateTime {
        .utc(LocalDateTime(naiveSeconds: Int(instant.timeIntervalSince1970.rounded(.down))))
    }

    /// True for `VALUE=DATE`.
    public var isDate: Bool {
        if case .date = self { return true }
        return false
    }

    /// The calendar date part.
    public var date: ICalDate {
        switch self {
        case .date(let d): return d
        case .utc(let l), .floating(let l), .zoned(let l, _): return l.date
        }
    }

    /// The wall-clock time (midnight for a DATE).
    public var local: LocalDateTime {
        switch self {
        case .date(let d): return LocalDateTime(date: d, hour: 0, minute: 0)
        case .utc(let l), .floating(let l), .zoned(let l, _): return l
        }
    }

    /// The `TZID`, if any.
    public var tzid: String? {
        if case .zoned(_, let tz) = self { return tz }
        return nil
    }

    public var description: String {
        switch self {
        case .date(let d): return d.description
        case .utc(let l): return l.description + "Z"
        case .floating(let l): return l.description
        case .zoned(let l, let tz): return "\(l) \(tz)"
        }
    }
}

/// iTIP method of a calendar object (RFC 5546).
public enum ICalMethod: String, Sendable, Hashable, CaseIterable {
    case publish = "PUBLISH"
    case request = "REQUEST"
    case cancel = "CANCEL"
    case reply = "REPLY"
}

/// `STATUS` of an event.
public enum ICalEventStatus: String, Sendable, Hashable, CaseIterable {
    case tentative = "TENTATIVE"
    case confirmed = "CONFIRMED"
    case cancelled = "CANCELLED"
}

/// `CLASS` of an event.
public enum ICalClassification: String, Sendable, Hashable, CaseIterable {
    case publicClass = "PUBLIC"
    case privateClass = "PRIVATE"
    case confidential = "CONFIDENTIAL"
}

/// `TRANSP` of an event.
public enum ICalTransparency: String, Sendable, Hashable {
    case opaque = "OPAQUE"
    case transparent = "TRANSPARENT"
}

/// A calendar user: `ORGANIZER` or `ATTENDEE` address with an optional common name.
public struct ICalAddress: Hashable, Sendable {
    /// A URI such as `mailto:staff@example.org`.
    public var uri: String
    /// `CN=`, the display name.
    public var commonName: String?
    /// For attendees: `ROLE`, e.g. `REQ-PARTICIPANT`.
    public var role: String?
    /// For attendees: `PARTSTAT`, e.g. `NEEDS-ACTION`.
    public var participationStatus: String?
    /// For attendees: `RSVP=TRUE`.
    public var rsvp: Bool

    public init(uri: String, commonName: String? = nil, role: String? = nil, participationStatus: String? = nil, rsvp: Bool = false) {
        self.uri = uri
        self.commonName = commonName
        self.role = role
        self.participationStatus = participationStatus
        self.rsvp = rsvp
    }
}

/// A `DISPLAY` reminder that fires relative to the event's start.
public struct ICalAlarm: Hashable, Sendable {
    /// Seconds relative to DTSTART (negative = before).
    public var triggerSeconds: Int
    /// The text shown.
    public var description: String

    public init(triggerSeconds: Int, description: String) {
        self.triggerSeconds = triggerSeconds
        self.description = description
    }
}

/// A `VEVENT`.
public struct ICalEvent: Hashable, Sendable {
    public var uid: String
    /// `DTSTAMP`, always written in UTC.
    public var stamp: Date
    public var start: ICalDateTime
    /// `DTEND` (exclusive); for a DATE event the day after the last day.
    public var end: ICalDateTime?
    /// `DURATION` in seconds, when the file gives one instead of DTEND.
    public var durationSeconds: Int?
    public var summary: String?
    public var description: String?
    public var location: String?
    public var url: String?
    public var status: ICalEventStatus?
    public var sequence: Int
    public var classification: ICalClassification?
    public var transparency: ICalTransparency?
    public var categories: [String]
    public var organizer: ICalAddress?
    public var attendees: [ICalAddress]
    public var alarms: [ICalAlarm]
    /// `RELATED-TO` UIDs.
    public var relatedTo: [String]
    /// Every `RRULE` of the event, in file order (RFC 5545 allows several; the recurrence set is their union).
    public var recurrenceRules: [String]
    /// The first `RRULE` text, e.g. `FREQ=WEEKLY;COUNT=10`; setting it replaces every rule.
    public var recurrenceRule: String? {
        get { recurrenceRules.first }
        set { recurrenceRules = newValue.map { [$0] } ?? [] }
    }
    /// `RDATE` values given as a DATE or DATE-TIME (the instance takes the event's length).
    public var recurrenceDates: [ICalDateTime]
    /// `RDATE;VALUE=PERIOD` values: each instance has the period's own end or duration (RFC 5545 §3.8.5.2).
    public var recurrencePeriods: [ICalPeriod]
    public var exceptionDates: [ICalDateTime]
    /// `RECURRENCE-ID` of an overridden instance.
    public var recurrenceID: ICalDateTime?
    /// True for `RECURRENCE-ID;RANGE=THISANDFUTURE`: the override moves every later instance by the same offset
    /// and gives it its length.
    public var appliesToFutureInstances: Bool

    public init(
        uid: String, stamp: Date, start: ICalDateTime, end: ICalDateTime? = nil, durationSeconds: Int? = nil,
        summary: String? = nil, description: String? = nil, location: String? = nil, url: String? = nil,
        status: ICalEventStatus? = nil, sequence: Int = 0, classification: ICalClassification? = nil,
        transparency: ICalTransparency? = nil, categories: [String] = [], organizer: ICalAddress? = nil,
        attendees: [ICalAddress] = [], alarms: [ICalAlarm] = [], relatedTo: [String] = [],
        recurrenceRule: String? = nil, recurrenceDates: [ICalDateTime] = [], exceptionDates: [ICalDateTime] = [],
        recurrenceID: ICalDateTime? = nil, recurrencePeriods: [ICalPeriod] = [], appliesToFutureInstances: Bool = false
    ) {
        self.uid = uid
        self.stamp = stamp
        self.start = start
        self.end = end
        self.durationSeconds = durationSeconds
        self.summary = summary
        self.description = description
        self.location = location
        self.url = url
        self.status = status
        self.sequence = sequence
        self.classification = classification
        self.transparency = transparency
        self.categories = categories
        self.organizer = organizer
        self.attendees = attendees
        self.alarms = alarms
        self.relatedTo = relatedTo
        self.recurrenceRules = recurrenceRule.map { [$0] } ?? []
        self.recurrenceDates = recurrenceDates
        self.recurrencePeriods = recurrencePeriods
        self.appliesToFutureInstances = appliesToFutureInstances
        self.exceptionDates = exceptionDates
        self.recurrenceID = recurrenceID
    }
}

/// A period of time as `RDATE;VALUE=PERIOD` gives it: a start and either an explicit end or a duration.
public struct ICalPeriod: Hashable, Sendable {
    public var start: ICalDateTime
    /// The explicit end, in the start's zone (or UTC).
    public var end: ICalDateTime?
    /// The duration in seconds, when the period is written `start/duration`.
    public var durationSeconds: Int?

    public init(start: ICalDateTime, end: ICalDateTime? = nil, durationSeconds: Int? = nil) {
        self.start = start
        self.end = end
        self.durationSeconds = durationSeconds
    }
}

/// A `VFREEBUSY` of busy periods in UTC.
public struct ICalFreeBusy: Hashable, Sendable {
    public var uid: String
    public var stamp: Date
    public var start: Date
    public var end: Date
    public var organizer: ICalAddress?
    /// Busy periods; written as `FREEBUSY;FBTYPE=BUSY:start/end` in UTC.
    public var busy: [DateInterval]

    public init(uid: String, stamp: Date, start: Date, end: Date, organizer: ICalAddress? = nil, busy: [DateInterval]) {
        self.uid = uid
        self.stamp = stamp
        self.start = start
        self.end = end
        self.organizer = organizer
        self.busy = busy
    }
}

/// A `VCALENDAR`: what Retreat writes and what it reads back.
public struct ICalendar: Hashable, Sendable {
    public var productID: String
    public var method: ICalMethod?
    /// Calendar name, written as both `NAME` and `X-WR-CALNAME`.
    public var name: String?
    /// `REFRESH-INTERVAL` and `X-PUBLISHED-TTL` in seconds, for feeds.
    public var refreshIntervalSeconds: Int?
    /// `X-WR-TIMEZONE` (Google): the zone for floating times when reading.
    public var defaultTimeZone: String?
    public var events: [ICalEvent]
    public var freeBusy: [ICalFreeBusy]
    /// TZIDs defined by VTIMEZONE components in a parsed file, with the component's text.
    public var timeZoneDefinitions: [String: String]
    /// The TZIDs of `timeZoneDefinitions` in file order (the first is usually the organizer's zone).
    public var timeZoneOrder: [String]
    /// Number of VTODO and VJOURNAL components seen (read, never interpreted).
    public var ignoredComponentCount: Int

    public init(
        productID: String = "-//Retreat//Retreat Intensives//EN", method: ICalMethod? = nil, name: String? = nil,
        refreshIntervalSeconds: Int? = nil, defaultTimeZone: String? = nil, events: [ICalEvent] = [],
        freeBusy: [ICalFreeBusy] = []
    ) {
        self.productID = productID
        self.method = method
        self.name = name
        self.refreshIntervalSeconds = refreshIntervalSeconds
        self.defaultTimeZone = defaultTimeZone
        self.events = events
        self.freeBusy = freeBusy
        self.timeZoneDefinitions = [:]
        self.timeZoneOrder = []
        self.ignoredComponentCount = 0
    }

    /// Every TZID named by a date-time of an event, sorted.
    public var usedTimeZones: [String] {
        var ids = Set<String>()
        for e in events {
            for value in [e.start, e.end, e.recurrenceID].compactMap({ $0 }) + e.exceptionDates + e.recurrenceDates
                + e.recurrencePeriods.flatMap({ [$0.start, $0.end].compactMap { $0 } })
            {
                if let tz = value.tzid { ids.insert(tz) }
            }
        }
        return ids.sorted()
    }
}
