/// An error from reading, writing or interpreting iCalendar data.
///
/// Messages say what was wrong and where (a line number when the input is a file), so a person can fix the
/// file; they never quote event titles or attendee names.
public struct ICalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem this is.
    public enum Code: String, Sendable, Hashable {
        case malformed
        case invalidUTF8
        case invalidDate
        case unknownTimeZone
        case unsupported
        case tooLarge
        case tooManyOccurrences
        case io
        case libical
    }

    public var code: Code
    /// The 1-based line of the input where the problem is, when known.
    public var line: Int?
    /// One sentence saying what is wrong.
    public var message: String

    public init(_ code: Code, line: Int? = nil, _ message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "line \(line): \(message)" }
        return message
    }
}

/// A problem found by `ICalendar.validate()` or `ICalValidator`: libical's restriction checks and
/// Retreat's own rules (every TZID defined, UTC DTSTAMP and so on).
public struct ICalProblem: Hashable, Sendable, CustomStringConvertible {
    /// The component the problem is in, e.g. `VEVENT`.
    public var component: String
    /// A readable sentence.
    public var message: String

    public init(component: String, message: String) {
        self.component = component
        self.message = message
    }

    public var description: String { "\(component): \(message)" }
}
