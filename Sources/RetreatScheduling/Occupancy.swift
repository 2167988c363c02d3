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

/// Days on which intensives may not run, on one resource or on all of them.
public struct Blackout: Hashable, Codable, Sendable {
    /// Storage identifier, if stored.
    public var id: Int64?
    /// First blacked-out day.
    public var from: CalendarDay
    /// Last blacked-out day (inclusive). A blackout with `to < from` covers nothing.
    public var to: CalendarDay
    /// The resource it applies to; `nil` means every resource.
    public var resource: String?
    /// Optional human-readable reason, shown in rejection messages.
    public var reason: String?
    /// "manual" or the name of an import source.
    public var source: String

    /// Creates a blackout.
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

    /// Whether the blackout applies to `resource` (a `nil` resource applies to all).
    public func applies(to resource: String) -> Bool {
        self.resource == nil || self.resource == resource
    }

    /// Whether `day` is inside `from...to`.
    public func covers(_ day: CalendarDay) -> Bool {
        from <= day && day <= to
    }
}
