import ArgumentParser
import Foundation
import RetreatAgenda
import RetreatApp
import RetreatScheduling

// Option values are parsed and checked before anything runs: a bad value is a usage error (exit 64) whose
// message names the option, the value and what to write instead.

/// Parsers for option values, used as `@Option(transform:)`.
enum Parse {
    /// An outbox status: queued, sending, sent, held or dropped.
    @Sendable static func outboxStatus(_ text: String) throws -> OutboxStatus {
        guard let status = OutboxStatus(rawValue: text.lowercased()) else {
            throw ValidationError("\"\(text)\" is not an outbox status; use \(OutboxStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }

    /// An outbox id: digits only, at least 1.
    @Sendable static func outboxID(_ text: String) throws -> Int64 {
        guard !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }), let id = Int64(text), id >= 1 else {
            throw ValidationError("\"\(text.prefix(40))\" is not an outbox id (digits, as `retreat outbox list` shows them)")
        }
        return id
    }

    /// The years a date option may name: far enough for any booking, near enough that every calendar and
    /// free/busy file stays writable (iCalendar years have four digits).
    static let years = 1970...2199

    /// `YYYY-MM-DD`, a real date in `years`.
    @Sendable static func day(_ text: String) throws -> CalendarDay {
        guard let day = CalendarDay(iso: text) else { throw ValidationError("\"\(text)\" is not a valid date (expected YYYY-MM-DD)") }
        try inRange(day)
        return day
    }

    static func inRange(_ day: CalendarDay) throws {
        guard years.contains(day.year) else { throw ValidationError("\(day) is outside the years \(years.lowerBound)–\(years.upperBound)") }
    }

    /// `YYYY-MM`: the month's first day.
    @Sendable static func month(_ text: String) throws -> CalendarDay {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
            let first = CalendarDay(year: y, month: m, day: 1)
        else { throw ValidationError("\"\(text)\" is not a month such as 2027-03") }
        try inRange(first)
        return first
    }

    /// An amount such as `1125` or `1125.50`: digits, at most two decimals, no sign or separators, at most
    /// 10,000,000.00; in cents.
    @Sendable static func amount(_ text: String) throws -> Int {
        guard let cents = Amount.cents(text) else {
            if text.count > 12, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
                throw ValidationError("\(text) is more than the largest amount Retreat records, 10000000.00")
            }
            throw ValidationError("\"\(text)\" is not an amount such as 1125.00 (digits, at most two decimals, no sign or separators)")
        }
        guard cents <= Money.maximumCents else {
            throw ValidationError("\(text) is more than the largest amount Retreat records, 10000000.00")
        }
        return cents
    }

    /// `YYYY-MM-DDTHH:MM`, a wall-clock time.
    @Sendable static func localTime(_ text: String) throws -> LocalTime {
        guard let t = LocalTime(iso: text) else { throw ValidationError("\"\(text)\" is not a local time such as 2027-03-01T18:00") }
        try inRange(t.day)
        return t
    }

    /// `YYYY-MM-DD` (a whole day) or `YYYY-MM-DDTHH:MM` (a time on the practice's clock).
    @Sendable static func dayOrTime(_ text: String) throws -> DayOrTime {
        if let day = CalendarDay(iso: text) {
            try inRange(day)
            return .day(day)
        }
        if let time = LocalTime(iso: text) {
            try inRange(time.day)
            return .time(time)
        }
        throw ValidationError("\"\(text)\" is neither a date (YYYY-MM-DD) nor a time (YYYY-MM-DDTHH:MM)")
    }

    /// `MODULE@DAY/HH:MM` (day from 1).
    @Sendable static func pin(_ text: String) throws -> Pin {
        let parts = text.split(separator: "@", maxSplits: 1)
        let when = parts.count == 2 ? parts[1].split(separator: "/", maxSplits: 1) : []
        guard parts.count == 2, !parts[0].isEmpty, when.count == 2, let day = wholeNumber(when[0]), (1...14).contains(day),
            let time = ClockTime(String(when[1]))
        else { throw ValidationError("\"\(text)\" is not MODULE@DAY/HH:MM (e.g. dialogue-practice@2/10:30)") }
        return Pin(moduleID: String(parts[0]), dayIndex: day - 1, start: time)
    }

    /// `MODULE=MINUTES` with 5 ... 480 minutes.
    @Sendable static func length(_ text: String) throws -> ModuleLength {
        let kv = text.split(separator: "=", maxSplits: 1)
        guard kv.count == 2, !kv[0].isEmpty, let minutes = wholeNumber(kv[1]) else {
            throw ValidationError("\"\(text)\" is not MODULE=MINUTES (e.g. dialogue-practice=60)")
        }
        guard (5...480).contains(minutes) else { throw ValidationError("\(minutes) minutes is outside 5...480") }
        return ModuleLength(module: String(kv[0]), minutes: minutes)
    }

    /// Digits with an optional leading minus, nothing else (`Int` alone also reads `+60`), that fit an `Int`.
    static func wholeNumber(_ text: some StringProtocol) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : text[...]
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(text)
    }

    /// A whole number in `range`.
    static func number(_ range: ClosedRange<Int>) -> @Sendable (String) throws -> Int {
        { text in
            guard let n = wholeNumber(text) else {
                let digits = text.hasPrefix("-") ? text.dropFirst() : text[...]
                if !digits.isEmpty, digits.utf8.allSatisfy({ (48...57).contains($0) }) {
                    throw ValidationError("\(text.prefix(40)) is outside \(range.lowerBound)...\(range.upperBound)")
                }
                throw ValidationError("\"\(text)\" is not a whole number")
            }
            guard range.contains(n) else { throw ValidationError("\(n) is outside \(range.lowerBound)...\(range.upperBound)") }
            return n
        }
    }

    /// A record id: a whole number from 1.
    @Sendable static func id(_ text: String) throws -> Int64 {
        guard wholeNumber(text) != nil, let n = Int64(text), n >= 1 else { throw ValidationError("\"\(text)\" is not an id (a whole number from 1)") }
        return n
    }

    /// An IANA time zone name.
    @Sendable static func zone(_ text: String) throws -> String {
        guard text.count <= 64, ZoneNames.isRegion(text) else {
            throw ValidationError("\"\(text)\" is not an IANA time zone such as Europe/London")
        }
        return text
    }

    /// A series frequency: week, 2weeks or month.
    @Sendable static func frequency(_ text: String) throws -> SeriesFrequency {
        guard let f = SeriesFrequency(text: text) else { throw ValidationError("\"\(text)\" is not week, 2weeks or month") }
        return f
    }
}

/// A whole day or a time, for options that take either.
enum DayOrTime: Hashable, Sendable {
    case day(CalendarDay)
    case time(LocalTime)
}

/// A module length change given as `MODULE=MINUTES`.
struct ModuleLength: Hashable, Sendable {
    var module: String
    var minutes: Int
}

/// yes or no.
enum YesNo: String, CaseIterable, ExpressibleByArgument, Sendable {
    case yes, no
    var bool: Bool { self == .yes }
}

/// A partner's safety screen result: passed, failed or not-screened.
enum ScreenArgument: String, CaseIterable, ExpressibleByArgument, Sendable {
    case passed, failed
    case notScreened = "not-screened"

    var result: ScreenResult {
        switch self {
        case .passed: return .passed
        case .failed: return .failed
        case .notScreened: return .notScreened
        }
    }
}

/// A partner: A or B.
enum PartnerArgument: String, CaseIterable, ExpressibleByArgument, Sendable {
    case a = "A"
    case b = "B"

    init?(argument: String) {
        self.init(rawValue: argument.uppercased())
    }

    var partner: Partner { self == .a ? .a : .b }
}

extension BookingStatus: ExpressibleByArgument {}

/// Checks that `to` is not before `from` (cross-option check for `validate()`).
func checkRange(_ from: CalendarDay?, _ to: CalendarDay?) throws {
    if let from, let to, to < from { throw ValidationError("--to \(to) is before --from \(from)") }
}
