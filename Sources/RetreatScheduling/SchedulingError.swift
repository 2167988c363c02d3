/// Errors raised by the scheduling module. Each carries one human-readable sentence.
public enum SchedulingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The practice settings are unusable; the message names the field and the fix.
    case invalidSettings(String)
    /// A date could not be parsed.
    case invalidDate(String)
    /// A date range is inverted or otherwise unusable.
    case invalidRange(String)

    /// The message, without a prefix.
    public var description: String {
        switch self {
        case .invalidSettings(let message), .invalidDate(let message), .invalidRange(let message):
            return message
        }
    }
}

/// Parses a strict `"YYYY-MM-DD"` date given for `field` (e.g. `"--from"`).
///
/// Throws `.invalidDate` with a message like
/// `--from: "2026-02-30" is not a valid date (expected YYYY-MM-DD)`.
public func parseDay(_ text: String, field: String) throws(SchedulingError) -> CalendarDay {
    guard let day = CalendarDay(iso: text) else {
        throw .invalidDate("\(field): \"\(text)\" is not a valid date (expected YYYY-MM-DD)")
    }
    return day
}

/// Parses `--from` and `--to` dates into an inclusive range.
///
/// Throws `.invalidDate` for an unparsable date and `.invalidRange` when `to` is before `from`
/// (`--to 2026-01-01 is before --from 2026-02-01`).
public func parseRange(from: String, to: String) throws(SchedulingError) -> ClosedRange<CalendarDay> {
    let start = try parseDay(from, field: "--from")
    let end = try parseDay(to, field: "--to")
    guard start <= end else {
        throw .invalidRange("--to \(end) is before --from \(start)")
    }
    return start...end
}
