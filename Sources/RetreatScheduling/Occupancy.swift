import Foundation

/// Lifecycle state of a booking.
public enum BookingStatus: String, Codable, Sendable, CaseIterable {
    /// Reserved, awaiting its deposit.
    case held
    /// Deposit received; the dates are committed.
    case confirmed
    /// The intensive took place.
    case completed
    /// Cancelled by the couple or the practice.
    case cancelled
    /// A hold that lapsed without its deposit.
    case expired

    /// Whether the booking occupies its resource (held or confirmed).
    public var isLive: Bool {
        self == .held || self == .confirmed
    }
}

/// What occupies a resource: a live booking's intensive days followed by its turnover days.
///
/// Only `held` and `confirmed` occupancies block anything; the others are ignored by `Scheduler`.
public struct Occupancy: Hashable, Codable, Sendable {
    /// The booking's identifier (never shown in messages).
    public var bookingID: String
    /// The resource the booking uses.
    public var resource: String
    /// First intensive day.
    public var start: CalendarDay
    /// The booking's status.
    public var status: BookingStatus
    /// Intensive days, as stored with the booking.
    public var intensiveDays: Int
    /// Turnover days after them, as stored with the booking.
    public var turnoverDays: Int

    /// Creates an occupancy.
    public init(bookingID: String, resource: String, start: CalendarDay, status: BookingStatus, intensiveDays: Int, turnoverDays: Int) {
        self.bookingID = bookingID
        self.resource = resource
        self.start = start
        self.status = status
        self.intensiveDays = intensiveDays
        self.turnoverDays = turnoverDays
    }

    /// Every day it occupies: intensive days then turnover days.
    public var occupiedDays: [CalendarDay] {
        (0..<(max(1, intensiveDays) + max(0, turnoverDays))).map { start.adding(days: $0) }
    }
}

/// Time on which intensives (and counseling sessions) may not run, on one resource or on all of them: whole
/// days (a holiday, staff leave), or an interval of time (a 2-hour supervision imported from a calendar).
///
/// A whole-day blackout blocks its days for intensives and for sessions. A timed one blocks a session only when
/// they overlap, and an intensive day only when it overlaps that day's session hours.
public struct Blackout: Hashable, Codable, Sendable {
    /// Storage identifier, if stored.
    public var id: Int64?
    /// First day: the first blacked-out day, or the practice-local date a timed blackout starts on.
    public var from: CalendarDay
    /// Last day (inclusive): the last blacked-out day, or the practice-local date a timed blackout ends on.
    /// A whole-day blackout with `to < from` covers nothing.
    public var to: CalendarDay
    /// The resource it applies to; `nil` means every resource.
    public var resource: String?
    /// Optional human-readable reason, shown in rejection messages.
    public var reason: String?
    /// "manual" or the name of an import source.
    public var source: String
    /// For a timed blackout: its start instant (nil for whole days).
    public var startsAt: Date?
    /// For a timed blackout: its end instant, exclusive (equal to the start for a zero-length event).
    public var endsAt: Date?

    /// Creates a whole-day blackout.
    public init(
        id: Int64? = nil, from: CalendarDay, to: CalendarDay, resource: String? = nil,
        reason: String? = nil, source: String = "manual"
    ) {
        self.id = id
        self.from = from
        self.to = to
        self.resource = resource
        self.reason = reason
        self.source = source
    }

    /// Creates a timed blackout from `start` to `end` (exclusive); `from`/`to` are its practice-local dates in `zone`.
    public init(id: Int64? = nil, start: Date, end: Date, in zone: TimeZone, resource: String? = nil, reason: String? = nil, source: String = "manual") {
        self.id = id
        self.from = CalendarDay.today(at: start, in: zone)
        self.to = CalendarDay.today(at: end > start ? end.addingTimeInterval(-1) : end, in: zone)
        self.resource = resource
        self.reason = reason
        self.source = source
        self.startsAt = start
        self.endsAt = max(start, end)
    }

    /// Whether this blackout is an interval of time rather than whole days.
    public var isTimed: Bool { startsAt != nil && endsAt != nil }

    /// Whether the blackout applies to `resource` (a `nil` resource applies to all).
    public func applies(to resource: String) -> Bool {
        self.resource == nil || self.resource == resource
    }

    /// Whether a whole-day blackout covers `day` (always false for a timed one).
    public func covers(_ day: CalendarDay) -> Bool {
        !isTimed && from <= day && day <= to
    }

    /// Whether a timed blackout shares time with `[start, end)` (always false for whole days). A zero-length
    /// blackout takes no time and overlaps nothing.
    public func overlaps(start: Date, end: Date) -> Bool {
        guard let s = startsAt, let e = endsAt else { return false }
        return s < end && e > start && e > s
    }

    /// The days this blackout keeps an intensive from using: its days when whole, else the practice-local days
    /// whose session hours the interval overlaps (read from `hours`, which caches each day's bounds). Sorted.
    public func intensiveDays(_ hours: SessionHours) -> [CalendarDay] {
        guard let s = startsAt, let e = endsAt else {
            return from <= to ? (0...from.days(until: to)).map { from.adding(days: $0) } : []
        }
        return hours.days(overlapping: s, e)
    }
}

/// The session hours (`dayStart`–`dayEnd`) of each practice-local day as instants, computed with the local-time
/// engine once per day and cached: the one rule for "does this busy time touch an intensive day".
public final class SessionHours {
    private let start: ClockTime
    private let end: ClockTime
    private let zone: TimeZone
    private var cache: [Int: (start: Date, end: Date)] = [:]

    /// Session hours of `settings`.
    public init(settings: PracticeSettings) {
        start = settings.dayStart
        end = settings.dayEnd
        zone = settings.timeZone
    }

    /// `day`'s session hours as instants (daylight-saving days included).
    public func bounds(_ day: CalendarDay) -> (start: Date, end: Date) {
        if let b = cache[day.daysSinceEpoch] { return b }
        let b = (LocalTime(day: day, time: start).instant(in: zone), LocalTime(day: day, time: end).instant(in: zone))
        cache[day.daysSinceEpoch] = b
        return b
    }

    /// The practice-local days whose session hours the interval `[from, until)` overlaps (half-open; a
    /// zero-length interval takes no time and overlaps none), in order.
    public func days(overlapping from: Date, _ until: Date) -> [CalendarDay] {
        guard until > from else { return [] }
        // A practice-local day is within one day of the UTC day (zones are at most 14 hours from UTC).
        func utcDay(_ d: Date) -> Int { Int((d.timeIntervalSince1970 / 86_400).rounded(.down)) }
        var day = CalendarDay(daysSinceEpoch: utcDay(from) - 1)
        let last = CalendarDay(daysSinceEpoch: utcDay(until) + 1)
        var days: [CalendarDay] = []
        while day <= last {
            let (s, e) = bounds(day)
            if from < e && until > s { days.append(day) }
            day = day.adding(days: 1)
        }
        return days
    }
}
