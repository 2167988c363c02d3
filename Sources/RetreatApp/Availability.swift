import Foundation
import RetreatScheduling
import RetreatStore

/// Why an intensive can or cannot start on one date, per resource.
public struct StartCheck: Hashable, Sendable {
    /// One resource's answer.
    public struct Entry: Hashable, Sendable {
        /// The resource.
        public var resource: String
        /// Every reason it cannot start there (empty: it can).
        public var rejections: [RejectionDetail]
    }

    /// The start date asked about.
    public var start: CalendarDay
    /// Each resource asked about, in the practice's order.
    public var resources: [Entry]
    /// Whether at least one resource can host it.
    public var available: Bool { resources.contains { $0.rejections.isEmpty } }
}

/// One month of one resource, day by day, for the month grid.
public struct ResourceMonth: Sendable {
    /// The resource.
    public var resource: String
    /// Every day of the month with its state.
    public var days: [(day: CalendarDay, state: DayState)]
}

/// What the month grid shows: each resource's days, and the sessions and blackouts of the month.
public struct MonthView: Sendable {
    /// First day of the month.
    public var first: CalendarDay
    /// One entry per resource shown.
    public var resources: [ResourceMonth]
    /// Counseling sessions in the month: the series and the occurrence.
    public var sessions: [(series: StoredSeries, occurrence: SessionOccurrence)]
    /// Blackouts touching the month.
    public var blackouts: [Blackout]
    /// The practice's time zone (for reading timed blackouts).
    public var timeZone: TimeZone
}

extension RetreatService {
    /// Every start in `from...to` where an intensive fits, on every resource or only `resource`.
    public func availability(from: CalendarDay, to: CalendarDay, resource: String? = nil) throws(AppError) -> [Slot] {
        try read { ctx in
            try ctx.requireResource(resource)
            return try ctx.scheduler().availability(from: from, to: to, resource: resource)
        }
    }

    /// Why an intensive can or cannot start on `start`, on every resource or only `resource`.
    public func check(start: CalendarDay, resource: String? = nil) throws(AppError) -> StartCheck {
        try read { ctx in
            try ctx.requireResource(resource)
            let scheduler = try ctx.scheduler()
            let entries = (resource.map { [$0] } ?? ctx.settings.resources).map { r in
                StartCheck.Entry(resource: r, rejections: scheduler.rejections(start: start, resource: r))
            }
            return StartCheck(start: start, resources: entries)
        }
    }

    /// The month starting on `first` for every resource or only `resource`: day states, sessions, blackouts.
    public func month(_ first: CalendarDay, resource: String? = nil) throws(AppError) -> MonthView {
        try read { ctx in
            try ctx.requireResource(resource)
            let scheduler = try ctx.scheduler()
            let days = (0..<CalendarDay.daysInMonth(year: first.year, month: first.month)).map { first.adding(days: $0) }
            let last = days.last ?? first
            let resources = (resource.map { [$0] } ?? ctx.settings.resources).map { r in
                ResourceMonth(resource: r, days: days.map { ($0, scheduler.dayState($0, resource: r)) })
            }
            var sessions: [(StoredSeries, SessionOccurrence)] = []
            for s in try ctx.reader.allSeries() where s.active && (resource == nil || s.series.spec.counselor == resource) {
                for o in s.series.occurrences() where o.localStart.day >= first && o.localStart.day <= last { sessions.append((s, o)) }
            }
            let blackouts = try ctx.reader.blackouts().filter { b in
                b.from <= last && b.to >= first && (resource.map { b.applies(to: $0) } ?? true)
            }
            return MonthView(first: first, resources: resources, sessions: sessions, blackouts: blackouts, timeZone: ctx.settings.timeZone)
        }
    }
}
