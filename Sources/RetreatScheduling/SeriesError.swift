/// Errors raised by counseling series and session planning. Each reads as one sentence that says
/// what is wrong and how to fix it; none ever contains a couple's name.
public enum SeriesError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A required text field ("couple", "counselor", "series id") is empty or only whitespace.
    case blankField(String)
    /// `identifier` given for `field` ("counselor zone", "partner zone") is not an IANA region name.
    case unknownTimeZone(field: String, identifier: String)
    /// A session length outside 10...240 minutes.
    case lengthOutOfRange(Int)
    /// A series count outside 1...520.
    case countOutOfRange(Int)
    /// An `.until` end date before the series start.
    case untilBeforeStart(until: CalendarDay, start: CalendarDay)
    /// An `.until` end date that gives more than 520 sessions.
    case tooManyOccurrences(until: CalendarDay)
    /// A wall-clock time skipped by a daylight-saving change in `zone`.
    case nonexistentLocalTime(LocalTime, zone: String)
    /// The link is not an http(s) address (the link itself is not repeated: it may carry a passcode).
    case invalidLink
    /// A frequency text that is not "week", "2weeks" or "month".
    case unknownFrequency(String)
    /// A negative series sequence number.
    case invalidSequence(Int)
    /// A change names a date on which the series has no session.
    case notAnOccurrence(CalendarDay)
    /// A date is both moved and cancelled, or moved twice.
    case conflictingExceptions(CalendarDay)
    /// A change concerns `day`, which is on or after the date the series was ended from.
    case afterSeriesEnd(CalendarDay, endedFrom: CalendarDay)
    /// Ending the series from `endFrom` would drop every session (the first is on `first`).
    case endsBeforeFirstSession(endFrom: CalendarDay, first: CalendarDay)
    /// Counselor working hours are unusable; the message says which and how to fix them.
    case invalidHours(String)
    /// A series for counselor `series` was checked against the availability of counselor `planner`.
    case counselorMismatch(series: String, planner: String)
    /// A date range whose end is before its start.
    case invalidRange(from: CalendarDay, to: CalendarDay)
    /// A date range longer than `limit` days.
    case rangeTooLong(days: Int, limit: Int)
    /// A step between candidate starts outside 5...240 minutes.
    case invalidStep(Int)
    /// A buffer between sessions outside 0...240 minutes.
    case invalidBuffer(Int)

    /// The message, one sentence without a prefix.
    public var description: String {
        switch self {
        case .blankField(let field):
            return "\(field) is blank; give it a non-blank value."
        case .unknownTimeZone(let field, let identifier):
            if let suggestion = ZoneNames.suggestion(for: identifier), suggestion != identifier {
                return "\(field) \"\(identifier)\" is not a known IANA time zone; did you mean \"\(suggestion)\"?"
            }
            return "\(field) \"\(identifier)\" is not a known IANA time zone; use a region name such as \"America/New_York\" or \"Europe/London\"."
        case .lengthOutOfRange(let minutes):
            return "the session length is \(minutes) minutes; choose a length from 10 to 240 minutes."
        case .countOutOfRange(let count):
            return "the series count is \(count); choose from 1 to 520 sessions."
        case .untilBeforeStart(let until, let start):
            return "the end date \(until) is before the first session on \(start); choose an end date on or after \(start)."
        case .tooManyOccurrences(let until):
            return "the end date \(until) gives more than 520 sessions; choose an earlier end date or a count."
        case .nonexistentLocalTime(let local, let zone):
            return "\(local) does not exist in \(zone) (the clocks jump forward over it); choose another time."
        case .invalidLink:
            return "the link is not a web address; give a full https:// address or leave the link out."
        case .unknownFrequency(let text):
            return "the frequency \"\(text)\" is not known; use week, 2weeks or month."
        case .invalidSequence(let sequence):
            return "the sequence number is \(sequence); it must be 0 or more."
        case .notAnOccurrence(let day):
            return "the series has no session on \(day); give the original date of one of its sessions."
        case .conflictingExceptions(let day):
            return "the session of \(day) is changed more than once; keep a single move or cancellation for it."
        case .afterSeriesEnd(let day, let endedFrom):
            return "\(day) is on or after \(endedFrom), from which the series has ended; choose an earlier date or lift the series end first."
        case .endsBeforeFirstSession(let endFrom, let first):
            return "ending the series from \(endFrom) would remove every session (the first is on \(first)); delete the series instead."
        case .invalidHours(let message):
            return message
        case .counselorMismatch(let series, let planner):
            return "the series is for counselor \"\(series)\" but the availability is for \"\(planner)\"; check it against its own counselor's availability."
        case .invalidRange(let from, let to):
            return "the range ends on \(to), before it starts on \(from); give an end on or after the start."
        case .rangeTooLong(let days, let limit):
            return "the range covers \(days) days; ask for at most \(limit) days at a time."
        case .invalidStep(let minutes):
            return "the step is \(minutes) minutes; use a step from 5 to 240 minutes."
        case .invalidBuffer(let minutes):
            return "the buffer is \(minutes) minutes; use a buffer from 0 to 240 minutes."
        }
    }
}
